"""The classes of configuration items."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from careops.cmdb.choices import (
    BackupMethod,
    Criticality,
    DatabaseEngine,
    HoursOfUse,
    InterfaceDirection,
    InterfaceProtocol,
    ItemKind,
    MachineKind,
    NetworkDeviceKind,
    NetworkZone,
    OsFamily,
    ServiceKind,
    StorageKind,
    SystemCategory,
)
from careops.cmdb.models.base import ConfigItem
from careops.cmdb.models.org import Department, Floor, Vendor
from careops.cmdb.validators import validate_disks, validate_ip_list, validate_name_list


class Room(ConfigItem):
    """A server room, a department's location or any other room (房间/机房)."""

    KIND = ItemKind.ROOM
    configitem_ptr = models.OneToOneField(ConfigItem, on_delete=models.CASCADE, parent_link=True,
                                          primary_key=True, related_name="as_room")
    floor = models.ForeignKey(Floor, verbose_name=_("floor"), on_delete=models.PROTECT,
                              related_name="rooms")
    is_server_room = models.BooleanField(_("server room"), default=False)
    department = models.ForeignKey(Department, verbose_name=_("department"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="rooms")

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")


class BusinessSystem(ConfigItem):
    """A business system (业务系统): HIS, EMR, PACS, LIS …"""

    KIND = ItemKind.SYSTEM
    configitem_ptr = models.OneToOneField(ConfigItem, on_delete=models.CASCADE, parent_link=True,
                                          primary_key=True, related_name="as_system")
    category = models.CharField(_("category"), max_length=20, choices=SystemCategory.choices)
    criticality = models.PositiveSmallIntegerField(_("criticality"), choices=Criticality.choices,
                                                   default=Criticality.MEDIUM)
    patient_safety = models.BooleanField(
        _("patient safety"), default=False,
        help_text=_("A stop of this system can put patients at risk."))
    hours_of_use = models.CharField(_("hours of use"), max_length=16, choices=HoursOfUse.choices,
                                    default=HoursOfUse.ALWAYS)
    value_per_hour = models.DecimalField(
        _("business value per hour (CNY)"), max_digits=12, decimal_places=2, default=0,
        help_text=_("Revenue or cost at stake per hour of downtime, for impact reports."))
    version = models.CharField(_("version"), max_length=64, blank=True)
    go_live = models.DateField(_("go-live date"), null=True, blank=True)
    departments = models.ManyToManyField(Department, verbose_name=_("departments served"),
                                         blank=True, related_name="systems")
    maintainers = models.ManyToManyField(
        Vendor, verbose_name=_("maintained by"), blank=True, related_name="maintained_systems",
        help_text=_("Vendors whose engineers may work on this system."))

    class Meta:
        verbose_name = _("business system")
        verbose_name_plural = _("business systems")


class Host(ConfigItem):
    KIND = ItemKind.HOST
    configitem_ptr = models.OneToOneField(ConfigItem, on_delete=models.CASCADE, parent_link=True,
                                          primary_key=True, related_name="as_host")
    hostname = models.CharField(_("host name"), max_length=253)
    addresses = models.JSONField(_("IP addresses"), default=list, blank=True,
                                 validators=[validate_ip_list])
    os_family = models.CharField(_("OS family"), max_length=20, choices=OsFamily.choices)
    os_version = models.CharField(_("OS version"), max_length=100, blank=True)
    machine_kind = models.CharField(_("physical or virtual"), max_length=10,
                                    choices=MachineKind.choices, default=MachineKind.VIRTUAL)
    cpu_cores = models.PositiveIntegerField(_("CPU cores"), null=True, blank=True)
    memory_mb = models.PositiveIntegerField(_("memory (MiB)"), null=True, blank=True)
    disks = models.JSONField(_("disks"), default=list, blank=True, validators=[validate_disks],
                             help_text=_('e.g. [{"mount": "/", "size_gb": 100}]'))
    room = models.ForeignKey(Room, verbose_name=_("room"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="hosts")
    rack = models.CharField(_("rack / position"), max_length=64, blank=True)
    network_zone = models.CharField(_("network zone"), max_length=16,
                                    choices=NetworkZone.choices, default=NetworkZone.INTERNAL)
    credential = models.ForeignKey("core.Secret", verbose_name=_("credential"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    ssh_port = models.PositiveIntegerField(_("SSH port"), default=22)

    audit_plain_fields = frozenset({"credential"})
    # The credential and where it is sent: only Cap.MANAGE_ITEMS changes these once a
    # credential is set (careops.cmdb.actions.items.update).
    credential_target_fields = frozenset({"credential", "addresses", "hostname", "ssh_port"})

    class Meta:
        verbose_name = _("host")
        verbose_name_plural = _("hosts")


class DatabaseInstance(ConfigItem):
    KIND = ItemKind.DATABASE
    configitem_ptr = models.OneToOneField(ConfigItem, on_delete=models.CASCADE, parent_link=True,
                                          primary_key=True, related_name="as_database")
    engine = models.CharField(_("engine"), max_length=16, choices=DatabaseEngine.choices)
    version = models.CharField(_("version"), max_length=64, blank=True)
    host = models.ForeignKey(Host, verbose_name=_("host"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="databases")
    port = models.PositiveIntegerField(_("port"), null=True, blank=True)
    databases = models.JSONField(_("databases"), default=list, blank=True,
                                 validators=[validate_name_list])
    credential = models.ForeignKey("core.Secret", verbose_name=_("credential"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")

    audit_plain_fields = frozenset({"credential"})
    credential_target_fields = frozenset({"credential", "host", "port"})

    class Meta:
        verbose_name = _("database instance")
        verbose_name_plural = _("database instances")


class Service(ConfigItem):
    """Web and application servers, queues, integration engines …"""

    KIND = ItemKind.SERVICE
    configitem_ptr = models.OneToOneField(ConfigItem, on_delete=models.CASCADE, parent_link=True,
                                          primary_key=True, related_name="as_service")
    service_kind = models.CharField(_("kind"), max_length=16, choices=ServiceKind.choices)
    software = models.CharField(_("software"), max_length=100, blank=True)
    version = models.CharField(_("version"), max_length=64, blank=True)
    host = models.ForeignKey(Host, verbose_name=_("host"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="services")
    endpoints = models.JSONField(_("endpoints"), default=list, blank=True,
                                 validators=[validate_name_list])

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")


class Interface(ConfigItem):
    """An interface (接口) carrying data from one system to another."""

    KIND = ItemKind.INTERFACE
    configitem_ptr = models.OneToOneField(ConfigItem, on_delete=models.CASCADE, parent_link=True,
                                          primary_key=True, related_name="as_interface")
    protocol = models.CharField(_("protocol"), max_length=16, choices=InterfaceProtocol.choices)
    direction = models.CharField(_("direction"), max_length=10,
                                 choices=InterfaceDirection.choices,
                                 default=InterfaceDirection.ONE_WAY)
    source_system = models.ForeignKey(BusinessSystem, verbose_name=_("source system"),
                                      on_delete=models.PROTECT, related_name="outgoing_interfaces")
    target_system = models.ForeignKey(BusinessSystem, verbose_name=_("target system"),
                                      on_delete=models.PROTECT, related_name="incoming_interfaces")
    endpoint = models.CharField(_("endpoint"), max_length=300, blank=True)
    schedule = models.CharField(_("schedule"), max_length=100, blank=True,
                                help_text=_("Real time, or when batches run (e.g. daily 02:00)."))

    class Meta:
        verbose_name = _("interface")
        verbose_name_plural = _("interfaces")


class NetworkDevice(ConfigItem):
    KIND = ItemKind.NETWORK_DEVICE
    configitem_ptr = models.OneToOneField(ConfigItem, on_delete=models.CASCADE, parent_link=True,
                                          primary_key=True, related_name="as_network_device")
    device_kind = models.CharField(_("kind"), max_length=16, choices=NetworkDeviceKind.choices)
    model = models.CharField(_("model"), max_length=100, blank=True)
    management_address = models.GenericIPAddressField(_("management address"), null=True,
                                                      blank=True)
    room = models.ForeignKey(Room, verbose_name=_("room"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="network_devices")
    rack = models.CharField(_("rack / position"), max_length=64, blank=True)
    network_zone = models.CharField(_("network zone"), max_length=16,
                                    choices=NetworkZone.choices, default=NetworkZone.INTERNAL)

    class Meta:
        verbose_name = _("network device")
        verbose_name_plural = _("network devices")


class StorageDevice(ConfigItem):
    KIND = ItemKind.STORAGE_DEVICE
    configitem_ptr = models.OneToOneField(ConfigItem, on_delete=models.CASCADE, parent_link=True,
                                          primary_key=True, related_name="as_storage_device")
    storage_kind = models.CharField(_("kind"), max_length=16, choices=StorageKind.choices)
    model = models.CharField(_("model"), max_length=100, blank=True)
    capacity_tb = models.DecimalField(_("capacity (TB)"), max_digits=10, decimal_places=2,
                                      null=True, blank=True)
    management_address = models.GenericIPAddressField(_("management address"), null=True,
                                                      blank=True)
    room = models.ForeignKey(Room, verbose_name=_("room"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="storage_devices")
    rack = models.CharField(_("rack / position"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("storage device")
        verbose_name_plural = _("storage devices")


class BackupJob(ConfigItem):
    """What is backed up (items related by backed_up_by), to where, when, for how long."""

    KIND = ItemKind.BACKUP_JOB
    configitem_ptr = models.OneToOneField(ConfigItem, on_delete=models.CASCADE, parent_link=True,
                                          primary_key=True, related_name="as_backup_job")
    method = models.CharField(_("method"), max_length=16, choices=BackupMethod.choices)
    tool = models.CharField(_("tool"), max_length=100, blank=True,
                            help_text=_("e.g. pg_basebackup, RMAN, Veeam, mysqldump."))
    local_destination = models.CharField(_("local destination"), max_length=300, blank=True)
    offsite_destination = models.CharField(_("off-site destination"), max_length=300,
                                           blank=True)
    schedule = models.CharField(_("schedule"), max_length=100,
                                help_text=_("e.g. daily 01:30, or a cron expression."))
    retention_days = models.PositiveIntegerField(_("retention (days)"))
    storage = models.ForeignKey(StorageDevice, verbose_name=_("storage device"), null=True,
                                blank=True, on_delete=models.PROTECT, related_name="backup_jobs")

    class Meta:
        verbose_name = _("backup job")
        verbose_name_plural = _("backup jobs")
