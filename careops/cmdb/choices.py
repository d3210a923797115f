"""Choice sets of the CMDB: each value has a label and a Tabler colour."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemKind(models.TextChoices):
    SITE = "site", _("Site")
    BUILDING = "building", _("Building")
    FLOOR = "floor", _("Floor")
    ROOM = "room", _("Room")
    DEPARTMENT = "department", _("Department")
    VENDOR = "vendor", _("Vendor")
    SYSTEM = "system", _("Business system")
    HOST = "host", _("Host")
    DATABASE = "database", _("Database instance")
    SERVICE = "service", _("Service / middleware")
    INTERFACE = "interface", _("Interface")
    NETWORK_DEVICE = "network_device", _("Network device")
    STORAGE_DEVICE = "storage_device", _("Storage device")
    BACKUP_JOB = "backup_job", _("Backup job")


class ItemStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("In service")
    MAINTENANCE = "maintenance", _("Under maintenance")
    RETIRED = "retired", _("Retired")


STATUS_COLOURS = {"planned": "azure", "active": "green", "maintenance": "orange",
                  "retired": "secondary"}


class SystemCategory(models.TextChoices):
    CLINICAL = "clinical", _("Clinical")
    MEDICAL_TECHNICAL = "medical_technical", _("Medical-technical")
    ADMINISTRATIVE = "administrative", _("Administrative")
    PUBLIC_FACING = "public_facing", _("Public-facing")
    PLATFORM = "platform", _("Platform / integration")
    RESEARCH_TEACHING = "research_teaching", _("Research and teaching")


class Criticality(models.IntegerChoices):
    """1 is the most critical (a stop harms patients or stops the hospital)."""

    CRITICAL = 1, _("1 · Critical")
    HIGH = 2, _("2 · High")
    MEDIUM = 3, _("3 · Medium")
    LOW = 4, _("4 · Low")


CRITICALITY_COLOURS = {1: "red", 2: "orange", 3: "yellow", 4: "secondary"}


class HoursOfUse(models.TextChoices):
    ALWAYS = "7x24", _("7×24")
    WORKING_HOURS = "working_hours", _("Working hours")


class OsFamily(models.TextChoices):
    WINDOWS_SERVER = "windows_server", _("Windows Server")
    WINDOWS = "windows", _("Windows (desktop)")
    RHEL = "rhel", _("CentOS / RHEL / Rocky")
    KYLIN = "kylin", _("Kylin 麒麟")
    UOS = "uos", _("UOS 统信")
    OPENEULER = "openeuler", _("openEuler")
    UBUNTU_DEBIAN = "ubuntu_debian", _("Ubuntu / Debian")
    OTHER_LINUX = "linux", _("Other Linux")
    OTHER = "other", _("Other")


class MachineKind(models.TextChoices):
    PHYSICAL = "physical", _("Physical")
    VIRTUAL = "virtual", _("Virtual")


class NetworkZone(models.TextChoices):
    INTERNAL = "internal", _("Internal (clinical) network")
    EXTERNAL = "external", _("External (internet-facing) network")
    DEVICE = "device", _("Medical device network")
    MANAGEMENT = "management", _("Management network")
    DMZ = "dmz", _("DMZ")


class DatabaseEngine(models.TextChoices):
    POSTGRESQL = "postgresql", _("PostgreSQL")
    MYSQL = "mysql", _("MySQL")
    MARIADB = "mariadb", _("MariaDB")
    ORACLE = "oracle", _("Oracle")
    SQLSERVER = "sqlserver", _("SQL Server")
    DM = "dm", _("DM 达梦")
    KINGBASE = "kingbase", _("Kingbase 人大金仓")


class ServiceKind(models.TextChoices):
    WEB = "web", _("Web server")
    APPLICATION = "application", _("Application server")
    QUEUE = "queue", _("Message queue")
    CACHE = "cache", _("Cache")
    INTEGRATION = "integration", _("Integration engine")
    OTHER = "other", _("Other")


class InterfaceProtocol(models.TextChoices):
    HL7V2_MLLP = "hl7v2_mllp", _("HL7 v2 over MLLP")
    FHIR = "fhir", _("FHIR")
    SOAP = "soap", _("SOAP web service")
    REST = "rest", _("REST")
    DB_VIEW = "db_view", _("Database view")
    FILE_DROP = "file_drop", _("File drop")


class InterfaceDirection(models.TextChoices):
    ONE_WAY = "one_way", _("Source → target")
    TWO_WAY = "two_way", _("Both ways")


class NetworkDeviceKind(models.TextChoices):
    SWITCH = "switch", _("Switch")
    ROUTER = "router", _("Router")
    FIREWALL = "firewall", _("Firewall")
    LOAD_BALANCER = "load_balancer", _("Load balancer")
    WIRELESS = "wireless", _("Wireless controller")


class StorageKind(models.TextChoices):
    SAN = "san", _("SAN")
    NAS = "nas", _("NAS")
    OBJECT = "object", _("Object storage")
    TAPE = "tape", _("Tape library")
    DISK_BACKUP = "disk_backup", _("Backup appliance")


class BackupMethod(models.TextChoices):
    FULL = "full", _("Full")
    INCREMENTAL = "incremental", _("Incremental")
    DIFFERENTIAL = "differential", _("Differential")
    LOG = "log", _("Transaction log / archive")
    SNAPSHOT = "snapshot", _("Snapshot")
    REPLICATION = "replication", _("Replication")


class RelationType(models.TextChoices):
    RUNS_ON = "runs_on", _("runs on")
    USES_DATABASE = "uses_database", _("uses database")
    DEPENDS_ON = "depends_on", _("depends on")
    CONNECTS_VIA = "connects_via", _("connects via")
    LOCATED_IN = "located_in", _("located in")
    BACKED_UP_BY = "backed_up_by", _("backed up by")
