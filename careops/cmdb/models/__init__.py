from careops.cmdb.models.base import Coded, ConfigItem
from careops.cmdb.models.discovery import SshHostKey
from careops.cmdb.models.items import (
    BackupJob,
    BusinessSystem,
    DatabaseInstance,
    Host,
    Interface,
    NetworkDevice,
    Room,
    Service,
    StorageDevice,
)
from careops.cmdb.models.org import Building, Contact, Department, Floor, Site, Vendor
from careops.cmdb.models.relations import Document, Relation

# The concrete classes of configuration items, by their ``kind``.
MODEL_BY_KIND: dict[str, type[ConfigItem]] = {
    m.KIND: m
    for m in (Room, BusinessSystem, Host, DatabaseInstance, Service, Interface, NetworkDevice,
              StorageDevice, BackupJob)
}

__all__ = [
    "MODEL_BY_KIND",
    "BackupJob",
    "Building",
    "BusinessSystem",
    "Coded",
    "ConfigItem",
    "Contact",
    "DatabaseInstance",
    "Department",
    "Document",
    "Floor",
    "Host",
    "Interface",
    "NetworkDevice",
    "Relation",
    "Room",
    "Service",
    "Site",
    "SshHostKey",
    "StorageDevice",
    "Vendor",
]
