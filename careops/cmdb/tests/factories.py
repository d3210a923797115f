"""Small builders of CMDB records for tests, going through the real actions."""

from __future__ import annotations

from typing import Any

from careops.cmdb.actions import items
from careops.cmdb.models import (
    Building,
    BusinessSystem,
    DatabaseInstance,
    Department,
    Floor,
    Host,
    Interface,
    Room,
    Site,
    Vendor,
)


class Hospital:
    """A small hospital: HIS and LIS on their hosts and databases, one interface."""

    def __init__(self, actor: Any) -> None:
        self.actor = actor
        make = self.make
        self.site = make(Site, code="MAIN", name="总院")
        self.building = make(Building, code="B1", name="门诊楼", site=self.site)
        self.floor = make(Floor, code="B1-F3", name="三楼", building=self.building, level=3)
        self.server_room = make(Room, code="DC-1", name="中心机房", floor=self.floor,
                                is_server_room=True)
        self.lab = make(Department, code="LAB", name="检验科")
        self.outpatient = make(Department, code="OPD", name="门诊部")
        self.vendor = make(Vendor, code="V-LIS", name="LIS 服务商")
        self.other_vendor = make(Vendor, code="V-HIS", name="HIS 服务商")
        self.his = make(BusinessSystem, code="HIS", name="医院信息系统", category="clinical",
                        criticality=1, patient_safety=True,
                        m2m={"departments": [self.outpatient], "maintainers": [self.other_vendor]})
        self.lis = make(BusinessSystem, code="LIS", name="检验信息系统",
                        category="medical_technical", criticality=2,
                        m2m={"departments": [self.lab], "maintainers": [self.vendor]})
        self.lis_host = make(Host, code="SRV-LIS", name="LIS 应用服务器", hostname="lis-app",
                             addresses=["10.1.2.10"], os_family="rhel", room=self.server_room)
        self.his_host = make(Host, code="SRV-HIS", name="HIS 应用服务器", hostname="his-app",
                             addresses=["10.1.2.20"], os_family="windows_server",
                             room=self.server_room)
        self.lis_db = make(DatabaseInstance, code="DB-LIS", name="LIS 数据库",
                           engine="oracle", host=self.lis_host, port=1521)
        self.orders = make(Interface, code="IF-HIS-LIS", name="检验申请", protocol="hl7v2_mllp",
                           source_system=self.his, target_system=self.lis)

    def make(self, model: Any, m2m: dict[str, Any] | None = None, **fields: Any) -> Any:
        return items.create(self.actor, model, fields, m2m=m2m)
