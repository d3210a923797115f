"""The demo hospital (``careops demo``): a Chinese general hospital with two campuses.

Plain data, loaded by ``careops.cmdb.demo`` through the CMDB actions. Every record is
a row of a table below; references to other records are their codes (a floor's
building, a system's departments, a relation's two ends). Tables are listed in the
order they are loaded, so a row only refers to rows above it.

The business systems are those named in the five tender texts of ``/work/shared/seeds``:
the 37 systems of seed 001's annex (each with the exact wording of its annex line), the
digital-twin visualization system of seed 000, the 嘉和 critical-care system of seed 002,
the dialysis systems of seed 003, the surgical video and examination systems of seed
004, and the core systems every hospital runs (HIS, EMR, LIS, integration platform …).
Vendors other than the brands the seeds name (米健, 麦迪斯顿, 嘉和) are fictional;
phone numbers and addresses are made up.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any


def rows(columns: str, *values: tuple[Any, ...]) -> list[dict[str, Any]]:
    """A table: column names separated by spaces, then one tuple per row."""
    names = columns.split()
    table = []
    for row in values:
        if len(row) != len(names):
            raise ValueError(f"row {row[0]!r} has {len(row)} values for {len(names)} columns")
        table.append(dict(zip(names, row, strict=True)))
    return table


D = dt.date

# ---------------------------------------------------------------------------------------
# Locations: campuses, buildings, floors
# ---------------------------------------------------------------------------------------

SITES = rows(
    "code name address",
    ("MAIN", "某市第一人民医院 总院", "某市健康路 1 号"),
    ("EAST", "某市第一人民医院 东院区", "某市滨江大道 288 号"),
)

BUILDINGS = rows(
    "code name site",
    ("MAIN-OPD", "门诊楼", "MAIN"),
    ("MAIN-IPD", "住院楼", "MAIN"),
    ("MAIN-MT", "医技楼", "MAIN"),
    ("MAIN-ADM", "行政楼", "MAIN"),
    ("MAIN-IDC", "信息中心楼", "MAIN"),
    ("EAST-GEN", "东院综合楼", "EAST"),
)

FLOORS = rows(
    "code name building level",
    ("MAIN-OPD-1F", "门诊楼一层", "MAIN-OPD", 1),
    ("MAIN-OPD-3F", "门诊楼三层", "MAIN-OPD", 3),
    ("MAIN-OPD-5F", "门诊楼五层", "MAIN-OPD", 5),
    ("MAIN-IPD-3F", "住院楼三层", "MAIN-IPD", 3),
    ("MAIN-IPD-4F", "住院楼四层", "MAIN-IPD", 4),
    ("MAIN-IPD-6F", "住院楼六层", "MAIN-IPD", 6),
    ("MAIN-IPD-12F", "住院楼十二层", "MAIN-IPD", 12),
    ("MAIN-MT-1F", "医技楼一层", "MAIN-MT", 1),
    ("MAIN-MT-2F", "医技楼二层", "MAIN-MT", 2),
    ("MAIN-MT-4F", "医技楼四层", "MAIN-MT", 4),
    ("MAIN-ADM-2F", "行政楼二层", "MAIN-ADM", 2),
    ("MAIN-ADM-5F", "行政楼五层", "MAIN-ADM", 5),
    ("MAIN-IDC-1F", "信息中心楼一层", "MAIN-IDC", 1),
    ("MAIN-IDC-3F", "信息中心楼三层", "MAIN-IDC", 3),
    ("EAST-GEN-B1", "东院综合楼负一层", "EAST-GEN", -1),
    ("EAST-GEN-2F", "东院综合楼二层", "EAST-GEN", 2),
    ("EAST-GEN-7F", "东院综合楼七层", "EAST-GEN", 7),
)

# ---------------------------------------------------------------------------------------
# Departments (科室)
# ---------------------------------------------------------------------------------------

DEPARTMENTS = rows(
    "code name site phone",
    ("D-ED", "急诊科", "MAIN", "0571-8800-1120"),
    ("D-ICU", "重症医学科", "MAIN", "0571-8800-1301"),
    ("D-EAST-ICU", "东院区重症医学科", "EAST", "0571-8900-2301"),
    ("D-LAB", "检验科", "MAIN", "0571-8800-1501"),
    ("D-RAD", "放射科", "MAIN", "0571-8800-1601"),
    ("D-PATH", "病理科", "MAIN", "0571-8800-1651"),
    ("D-US", "超声科", "MAIN", "0571-8800-1621"),
    ("D-ENDO", "内镜中心", "MAIN", "0571-8800-1631"),
    ("D-HD", "血液净化中心", "MAIN", "0571-8800-1411"),
    ("D-NEPH", "肾内科", "MAIN", "0571-8800-1412"),
    ("D-OR", "手术室", "MAIN", "0571-8800-1701"),
    ("D-ANES", "麻醉科", "MAIN", "0571-8800-1702"),
    ("D-REPRO", "生殖医学中心", "EAST", "0571-8900-2501"),
    ("D-OB", "产科", "MAIN", "0571-8800-1801"),
    ("D-PND", "产前诊断中心", "MAIN", "0571-8800-1802"),
    ("D-CHC", "儿童保健科", "EAST", "0571-8900-2601"),
    ("D-PED", "儿科", "MAIN", "0571-8800-1811"),
    ("D-REHAB", "康复医学科", "EAST", "0571-8900-2701"),
    ("D-BLOOD", "输血科", "MAIN", "0571-8800-1521"),
    ("D-PHARM", "药学部", "MAIN", "0571-8800-1901"),
    ("D-CARD", "心血管内科", "MAIN", "0571-8800-1421"),
    ("D-RESP", "呼吸与危重症医学科", "MAIN", "0571-8800-1431"),
    ("D-GS", "普外科", "MAIN", "0571-8800-1441"),
    ("D-ORTHO", "骨科", "MAIN", "0571-8800-1451"),
    ("D-NEURO", "神经内科", "MAIN", "0571-8800-1461"),
    ("D-INF", "感染性疾病科", "MAIN", "0571-8800-1471"),
    ("D-OPD", "门诊部", "MAIN", "0571-8800-1001"),
    ("D-MED", "医务科", "MAIN", "0571-8800-2001"),
    ("D-NUR", "护理部", "MAIN", "0571-8800-2011"),
    ("D-IC", "医院感染管理科", "MAIN", "0571-8800-2021"),
    ("D-QC", "质量管理科", "MAIN", "0571-8800-2031"),
    ("D-PREV", "疾病预防控制科", "MAIN", "0571-8800-2041"),
    ("D-IT", "信息科", "MAIN", "0571-8800-2101"),
    ("D-FIN", "财务科（计财处）", "MAIN", "0571-8800-2201"),
    ("D-EDU", "科教科", "MAIN", "0571-8800-2301"),
    ("D-ETH", "伦理委员会办公室", "MAIN", "0571-8800-2311"),
    ("D-INS", "医保办", "MAIN", "0571-8800-2401"),
    ("D-OFFICE", "院长办公室", "MAIN", "0571-8800-2501"),
    ("D-HR", "人力资源部", "MAIN", "0571-8800-2511"),
    ("D-PR", "宣传科", "MAIN", "0571-8800-2521"),
    ("D-LOGI", "后勤保障部（运送中心）", "MAIN", "0571-8800-2601"),
)

# ---------------------------------------------------------------------------------------
# Rooms: the two server rooms and the departments' places
# ---------------------------------------------------------------------------------------

ROOMS = rows(
    "code name floor is_server_room department",
    ("DC-MAIN", "主机房", "MAIN-IDC-3F", True, "D-IT"),
    ("DC-DR", "灾备机房", "EAST-GEN-B1", True, "D-IT"),
    ("RM-IT-OFFICE", "信息科办公室", "MAIN-IDC-1F", False, "D-IT"),
    ("RM-ED", "急诊抢救室", "MAIN-OPD-1F", False, "D-ED"),
    ("RM-ICU", "ICU 病区护士站", "MAIN-IPD-4F", False, "D-ICU"),
    ("RM-EAST-ICU", "东院 ICU 病区", "EAST-GEN-7F", False, "D-EAST-ICU"),
    ("RM-LAB", "检验科实验室", "MAIN-MT-2F", False, "D-LAB"),
    ("RM-RAD", "放射科 CT/DR 检查区", "MAIN-MT-1F", False, "D-RAD"),
    ("RM-PATH", "病理科技术室", "MAIN-MT-4F", False, "D-PATH"),
    ("RM-US", "超声科诊室", "MAIN-OPD-3F", False, "D-US"),
    ("RM-HD", "血液净化中心透析大厅", "MAIN-IPD-3F", False, "D-HD"),
    ("RM-OR", "手术室（层流手术部）", "MAIN-IPD-6F", False, "D-OR"),
    ("RM-REPRO", "生殖医学中心胚胎实验室", "EAST-GEN-2F", False, "D-REPRO"),
    ("RM-PND", "产前诊断中心", "MAIN-OPD-5F", False, "D-PND"),
    ("RM-REHAB", "康复治疗大厅", "EAST-GEN-2F", False, "D-REHAB"),
    ("RM-BLOOD", "输血科血库", "MAIN-MT-2F", False, "D-BLOOD"),
    ("RM-FIN", "计财处办公室", "MAIN-ADM-2F", False, "D-FIN"),
    ("RM-PREV", "疾病预防控制科办公室", "MAIN-ADM-5F", False, "D-PREV"),
)

# ---------------------------------------------------------------------------------------
# Vendors (服务商) and their contacts in escalation order
# ---------------------------------------------------------------------------------------

VENDORS = rows(
    "code name phone email wechat website",
    ("V-OPS", "恒信医疗信息运维服务有限公司", "400-860-1001", "service@hengxin-ops.example",
     "hengxin_ops", "https://hengxin-ops.example"),
    ("V-MIJIAN", "米健（ICU 重症医学信息平台）", "400-860-1002", "support@mijian.example",
     "mijian_icu", ""),
    ("V-MEDIS", "麦迪斯顿（重症监护管理系统）", "400-860-1003", "support@medis.example",
     "medis_care", ""),
    ("V-JIAHE", "嘉和（重症临床信息系统）", "400-860-1004", "support@jiahe.example",
     "jiahe_icu", ""),
    ("V-HUAKANG", "华康医疗软件股份有限公司", "400-860-1010", "his@huakang.example",
     "huakang_his", "https://huakang.example"),
    ("V-RUIJIAN", "瑞检科技有限公司", "400-860-1011", "lis@ruijian.example", "ruijian_lis",
     ""),
    ("V-MINGDE", "明德影像技术有限公司", "400-860-1012", "pacs@mingde.example",
     "mingde_pacs", ""),
    ("V-KANGLIAN", "康联数据集成有限公司", "400-860-1013", "esb@kanglian.example",
     "kanglian_esb", ""),
    ("V-BINGLI", "博理病理信息技术有限公司", "400-860-1014", "support@boli.example",
     "boli_path", ""),
    ("V-ANTAI", "安泰信创软件有限公司", "400-860-1015", "support@antai.example",
     "antai_xc", ""),
    ("V-ZHITOU", "智透医疗科技有限公司", "400-860-1016", "hd@zhitou.example", "zhitou_hd",
     ""),
    ("V-TWIN", "远景数字孪生科技有限公司", "400-860-1017", "twin@yuanjing.example",
     "yuanjing_twin", ""),
    ("V-EDU", "博学医教科技有限公司", "400-860-1018", "edu@boxue.example", "boxue_edu", ""),
    ("V-NET", "卫信网络工程有限公司", "400-860-1019", "noc@weixin-net.example",
     "weixin_noc", ""),
)

CONTACTS = rows(
    "vendor name title phone wechat email escalation_level",
    ("V-OPS", "张磊", "驻场项目经理", "138-0000-1001", "zhanglei_ops",
     "zhanglei@hengxin-ops.example", 1),
    ("V-OPS", "王芳", "驻场技术工程师", "138-0000-1002", "wangfang_ops", "", 1),
    ("V-OPS", "陈建国", "质控经理", "138-0000-1003", "", "chenjg@hengxin-ops.example", 2),
    ("V-OPS", "刘海涛", "技术总监", "138-0000-1004", "", "liuht@hengxin-ops.example", 3),
    ("V-MIJIAN", "赵强", "实施工程师", "139-0000-2001", "zq_mj", "", 1),
    ("V-MIJIAN", "孙丽", "区域服务经理", "139-0000-2002", "", "sunli@mijian.example", 2),
    ("V-MEDIS", "周涛", "售后工程师", "139-0000-2101", "zhoutao_md", "", 1),
    ("V-MEDIS", "吴敏", "华东区技术经理", "139-0000-2102", "", "wumin@medis.example", 2),
    ("V-JIAHE", "郑凯", "运维项目经理", "139-0000-2201", "zhengkai_jh",
     "zhengkai@jiahe.example", 1),
    ("V-JIAHE", "冯雪", "重症产品专家", "139-0000-2202", "", "", 2),
    ("V-HUAKANG", "李明", "HIS 驻场工程师", "137-0000-3001", "liming_hk", "", 1),
    ("V-HUAKANG", "黄伟", "EMR 实施工程师", "137-0000-3002", "huangwei_hk", "", 1),
    ("V-HUAKANG", "杨志", "客户服务部经理", "137-0000-3003", "", "yangzhi@huakang.example", 2),
    ("V-HUAKANG", "何军", "技术副总裁", "137-0000-3004", "", "hejun@huakang.example", 3),
    ("V-RUIJIAN", "马超", "LIS 工程师", "136-0000-4001", "machao_rj", "", 1),
    ("V-RUIJIAN", "林静", "服务主管", "136-0000-4002", "", "linjing@ruijian.example", 2),
    ("V-MINGDE", "高飞", "PACS 工程师", "135-0000-5001", "gaofei_md", "", 1),
    ("V-MINGDE", "罗娟", "技术支持经理", "135-0000-5002", "", "luojuan@mingde.example", 2),
    ("V-KANGLIAN", "梁栋", "集成平台工程师", "135-0000-6001", "liangdong_kl", "", 1),
    ("V-KANGLIAN", "宋佳", "交付经理", "135-0000-6002", "", "songjia@kanglian.example", 2),
    ("V-BINGLI", "谢晨", "病理系统工程师", "133-0000-7001", "xiechen_bl", "", 1),
    ("V-ANTAI", "唐欣", "信创适配工程师", "133-0000-8001", "tangxin_at", "", 1),
    ("V-ANTAI", "韩冰", "项目经理", "133-0000-8002", "", "hanbing@antai.example", 2),
    ("V-ZHITOU", "曹阳", "血透系统工程师", "132-0000-9001", "caoyang_zt", "", 1),
    ("V-ZHITOU", "许婷", "服务经理", "132-0000-9002", "", "xuting@zhitou.example", 2),
    ("V-TWIN", "邓宇", "可视化运维工程师", "131-0000-1101", "dengyu_yj", "", 1),
    ("V-TWIN", "彭琳", "项目经理", "131-0000-1102", "", "penglin@yuanjing.example", 2),
    ("V-EDU", "蒋涛", "平台运维工程师", "131-0000-1201", "jiangtao_bx", "", 1),
    ("V-EDU", "沈悦", "客户成功经理", "131-0000-1202", "", "shenyue@boxue.example", 2),
    ("V-NET", "钱坤", "网络工程师", "130-0000-1301", "qiankun_net", "", 1),
    ("V-NET", "姚远", "网络与安全主管", "130-0000-1302", "", "yaoyuan@weixin-net.example", 2),
)

# ---------------------------------------------------------------------------------------
# Network and storage devices in the server rooms
# ---------------------------------------------------------------------------------------

NETWORK_DEVICES = rows(
    "code name device_kind model management_address room rack network_zone vendor",
    ("NET-CORE-01", "核心交换机 1", "switch", "华为 CloudEngine S12708", "10.99.0.1",
     "DC-MAIN", "A01-U20", "internal", "V-NET"),
    ("NET-CORE-02", "核心交换机 2", "switch", "华为 CloudEngine S12708", "10.99.0.2",
     "DC-MAIN", "A02-U20", "internal", "V-NET"),
    ("NET-FW-OUT", "互联网边界防火墙", "firewall", "深信服 AF-2000", "10.99.0.10", "DC-MAIN",
     "A03-U10", "external", "V-NET"),
    ("NET-FW-DEV", "医疗设备网防火墙", "firewall", "华为 USG6620E", "10.99.0.11", "DC-MAIN",
     "A03-U14", "device", "V-NET"),
    ("NET-LB-01", "应用负载均衡", "load_balancer", "F5 BIG-IP i4800", "10.99.0.20",
     "DC-MAIN", "A03-U18", "internal", "V-NET"),
    ("NET-DR-SW", "灾备机房汇聚交换机", "switch", "华为 S6730-H", "10.99.8.1", "DC-DR",
     "R01-U30", "internal", "V-NET"),
)

STORAGE_DEVICES = rows(
    "code name storage_kind model capacity_tb management_address room rack",
    ("STO-SAN-01", "核心业务 SAN 存储", "san", "华为 OceanStor 5510 V5", Decimal("120.00"),
     "10.99.1.10", "DC-MAIN", "B01-U01"),
    ("STO-NAS-PACS", "影像归档 NAS", "nas", "华为 OceanStor Pacific 9350",
     Decimal("480.00"), "10.99.1.20", "DC-MAIN", "B02-U01"),
    ("STO-BAK-01", "备份一体机", "disk_backup", "爱数 AnyBackup 一体机 A6000",
     Decimal("96.00"), "10.99.1.30", "DC-MAIN", "B03-U10"),
    ("STO-DR-01", "灾备存储", "disk_backup", "华为 OceanProtect X8000", Decimal("200.00"),
     "10.99.8.30", "DC-DR", "R02-U01"),
    ("STO-TAPE", "磁带库（离线归档）", "tape", "IBM TS4300", Decimal("360.00"), "10.99.8.40",
     "DC-DR", "R03-U01"),
)

# ---------------------------------------------------------------------------------------
# Business systems (业务系统)
# ---------------------------------------------------------------------------------------

# The annex of seed 001 (第三方业务系统统一服务体系建设项目), line by line and verbatim:
# code, the line's exact text, then the system as the CMDB names it.
ANNEX_001 = rows(
    "code annex name",
    ("ICU-MJ", "ICU重症医学信息平台系统维护（米健）", "ICU重症医学信息平台（米健）"),
    ("ICU-MD", "重症监护管理系统维护（麦迪斯顿）", "重症监护管理系统（麦迪斯顿）"),
    ("US", "超声管理系统维护", "超声管理系统"),
    ("AE", "不良事件上报系统", "不良事件上报系统"),
    ("PATH-DX", "病理诊断信息系统", "病理诊断信息系统"),
    ("PATH-FLOW", "病理流程管理系统", "病理流程管理系统"),
    ("PATH-WSI", "数字切片扫描系统", "数字切片扫描系统"),
    ("NIS-RT", "医院医院感染实时监控系统", "医院感染实时监控系统"),
    ("ART", "辅助生殖信息系统", "辅助生殖信息系统"),
    ("RAD-QUEUE", "放射叫号系统", "放射叫号系统"),
    ("PACS", "放射科PACS/RIS系统", "放射科PACS/RIS系统"),
    ("REHAB", "康复科治疗信息采集系统", "康复科治疗信息采集系统"),
    ("PND", "产前诊断信息管理系统", "产前诊断信息管理系统"),
    ("TRANSPORT", "医疗输送信息管理系统", "医疗输送信息管理系统"),
    ("EXAM-3B", "“三基”考试软件维护费", "“三基”考试软件"),
    ("INS-GY", "医保公医病人申报服务流程管理软件", "医保公医病人申报服务流程管理软件"),
    ("ETHICS", "医学伦理委员会系统", "医学伦理委员会系统"),
    ("CHC", "儿童保健临床信息系统", "儿童保健临床信息系统"),
    ("TRAINEE", "进修生管理系统（子项目1）", "进修生管理系统"),
    ("INS-AUDIT", "医保智能审核系统", "医保智能审核系统"),
    ("CDC-CLIENT", "中国疾病预防控制信息系统客户端KEY年审费用",
     "中国疾病预防控制信息系统客户端"),
    ("BLOOD", "临床用血管理系统", "临床用血管理系统"),
    ("BLOOD-OPT", "输血系统优化项目", "输血系统（优化项目）"),
    ("ENDO-PATH-IF", "内镜系统病理标本申请单接口", "内镜系统病理标本申请单接口"),
    ("ID-WARN", "传染病监测预警管理系统", "传染病监测预警管理系统"),
    ("SD", "单病种系统", "单病种系统"),
    ("FLU", "传染病流感监测", "传染病流感监测系统"),
    ("EXAM-ONLINE", "医学在线考试系统西医、护理版维护服务",
     "医学在线考试系统（西医、护理版）"),
    ("ID-PUSH", "传染病报告推送信息系统", "传染病报告推送信息系统"),
    ("BOOKING", "全业务预约平台建设项目", "全业务预约平台"),
    ("RAD-CALL", "影像信息软件（智能呼叫系统）", "影像信息软件（智能呼叫系统）"),
    ("PV", "中国医院药物警戒系统", "中国医院药物警戒系统"),
    ("IMG-CENTER", "影像中心维护", "影像中心系统"),
    ("BLOOD-2", "临床用血管理系统优化（二期）", "临床用血管理系统（二期优化）"),
    ("WECHAT-FIN", "计财处微信公众号二期项目", "计财处微信公众号"),
    ("OA", "办公自动化系统", "办公自动化系统"),
    ("WEB", "中英文网站", "中英文网站"),
)

SYSTEMS = rows(
    "code category criticality patient_safety hours_of_use value_per_hour version go_live "
    "vendor maintainers departments",
    # Core systems of every hospital.
    ("HIS", "clinical", 1, True, "7x24", 80000, "HIS 5.8.2", D(2016, 10, 1), "V-HUAKANG",
     ["V-HUAKANG"], ["D-OPD", "D-ED", "D-PHARM", "D-FIN", "D-INS", "D-NUR", "D-MED"]),
    ("EMR", "clinical", 1, True, "7x24", 30000, "EMR 6.1", D(2017, 5, 1), "V-HUAKANG",
     ["V-HUAKANG"], ["D-ED", "D-ICU", "D-CARD", "D-RESP", "D-GS", "D-ORTHO", "D-NEURO",
                     "D-OB", "D-PED", "D-NEPH", "D-MED", "D-QC"]),
    ("LIS", "medical_technical", 1, True, "7x24", 25000, "LIS 4.3", D(2015, 3, 1),
     "V-RUIJIAN", ["V-RUIJIAN"], ["D-LAB", "D-ED", "D-ICU", "D-OPD"]),
    ("ESB", "platform", 1, False, "7x24", 20000, "HealthESB 3.2", D(2019, 12, 1),
     "V-KANGLIAN", ["V-KANGLIAN"], ["D-IT"]),
    ("ORIS", "clinical", 1, True, "7x24", 15000, "手麻 3.0", D(2018, 6, 1), "V-HUAKANG",
     ["V-HUAKANG"], ["D-OR", "D-ANES"]),
    ("ENDO", "medical_technical", 2, False, "working_hours", 3000, "内镜 2.5", D(2018, 9, 1),
     "V-MINGDE", ["V-MINGDE"], ["D-ENDO"]),
    # Seed 000: digital twin.
    ("TWIN", "administrative", 3, False, "7x24", 800, "V2.3", D(2023, 11, 1), "V-TWIN",
     ["V-TWIN"], ["D-OFFICE", "D-LOGI", "D-IT"]),
    # Seed 002: 嘉和 critical care (the east campus ICU).
    ("ICU-JH", "clinical", 1, True, "7x24", 8000, "ICIS 7.0", D(2021, 4, 1), "V-JIAHE",
     ["V-JIAHE"], ["D-EAST-ICU"]),
    # Seed 003: dialysis.
    ("HD", "clinical", 1, True, "7x24", 6000, "HDIS 4.2", D(2019, 8, 1), "V-ZHITOU",
     ["V-ZHITOU"], ["D-HD", "D-NEPH"]),
    ("CKD-PD", "clinical", 2, True, "working_hours", 1500, "CKD-PD 2.1", D(2020, 9, 1),
     "V-ZHITOU", ["V-ZHITOU"], ["D-NEPH", "D-HD"]),
    # Seed 004: surgical video teaching and examinations.
    ("SURG-VIDEO", "research_teaching", 4, False, "7x24", 200, "V3.0", D(2022, 3, 1),
     "V-EDU", ["V-EDU"], ["D-EDU", "D-GS", "D-ORTHO"]),
    ("EXAM-STD", "research_teaching", 3, False, "working_hours", 300, "V5.2", D(2021, 7, 1),
     "V-EDU", ["V-EDU"], ["D-EDU", "D-MED", "D-NUR"]),
    # Seed 001's annex.
    ("ICU-MJ", "clinical", 1, True, "7x24", 8000, "V6.5", D(2019, 5, 1), "V-MIJIAN",
     ["V-MIJIAN", "V-OPS"], ["D-ICU"]),
    ("ICU-MD", "clinical", 1, True, "7x24", 6000, "DoCare 5.0", D(2014, 7, 1), "V-MEDIS",
     ["V-MEDIS", "V-OPS"], ["D-ICU", "D-ED"]),
    ("US", "medical_technical", 2, False, "7x24", 5000, "V3.8", D(2017, 3, 1), "V-MINGDE",
     ["V-OPS"], ["D-US", "D-OB"]),
    ("AE", "administrative", 3, False, "working_hours", 300, "V2.0", D(2020, 1, 1),
     "V-ANTAI", ["V-OPS"], ["D-MED", "D-NUR", "D-QC"]),
    ("PATH-DX", "medical_technical", 2, True, "working_hours", 4000, "V5.1", D(2016, 6, 1),
     "V-BINGLI", ["V-BINGLI", "V-OPS"], ["D-PATH"]),
    ("PATH-FLOW", "medical_technical", 2, False, "working_hours", 2000, "V3.0", D(2020, 6, 1),
     "V-BINGLI", ["V-BINGLI", "V-OPS"], ["D-PATH", "D-OR", "D-ENDO"]),
    ("PATH-WSI", "medical_technical", 3, False, "working_hours", 1500, "V2.2", D(2022, 5, 1),
     "V-BINGLI", ["V-BINGLI", "V-OPS"], ["D-PATH"]),
    ("NIS-RT", "clinical", 2, True, "7x24", 1000, "V4.0", D(2018, 11, 1), "V-ANTAI",
     ["V-OPS"], ["D-IC", "D-ICU"]),
    ("ART", "clinical", 2, True, "working_hours", 5000, "V3.6", D(2018, 3, 1), "V-OPS",
     ["V-OPS"], ["D-REPRO"]),
    ("RAD-QUEUE", "public_facing", 3, False, "working_hours", 800, "V1.8", D(2017, 9, 1),
     "V-MINGDE", ["V-OPS"], ["D-RAD"]),
    ("PACS", "medical_technical", 1, True, "7x24", 30000, "V8.2", D(2015, 10, 1), "V-MINGDE",
     ["V-MINGDE", "V-OPS"], ["D-RAD", "D-ED", "D-ICU", "D-OPD"]),
    ("REHAB", "clinical", 3, False, "working_hours", 800, "V2.1", D(2021, 2, 1), "V-OPS",
     ["V-OPS"], ["D-REHAB"]),
    ("PND", "clinical", 2, True, "working_hours", 2000, "V3.2", D(2019, 4, 1), "V-OPS",
     ["V-OPS"], ["D-PND", "D-OB"]),
    ("TRANSPORT", "administrative", 3, False, "7x24", 600, "V2.5", D(2020, 10, 1), "V-OPS",
     ["V-OPS"], ["D-LOGI", "D-NUR"]),
    ("EXAM-3B", "research_teaching", 4, False, "working_hours", 100, "V4.1", D(2016, 1, 1),
     "V-EDU", ["V-OPS"], ["D-EDU", "D-NUR", "D-MED"]),
    ("INS-GY", "administrative", 3, False, "working_hours", 1500, "V2.0", D(2018, 7, 1),
     "V-HUAKANG", ["V-OPS"], ["D-INS", "D-FIN"]),
    ("ETHICS", "research_teaching", 4, False, "working_hours", 100, "V1.6", D(2021, 9, 1),
     "V-ANTAI", ["V-OPS"], ["D-ETH", "D-EDU"]),
    ("CHC", "clinical", 3, False, "working_hours", 1200, "V3.0", D(2019, 6, 1), "V-OPS",
     ["V-OPS"], ["D-CHC"]),
    ("TRAINEE", "administrative", 4, False, "working_hours", 50, "V1.2", D(2022, 9, 1),
     "V-OPS", ["V-OPS"], ["D-EDU", "D-HR"]),
    ("INS-AUDIT", "administrative", 2, False, "7x24", 3000, "V3.1", D(2021, 1, 1),
     "V-HUAKANG", ["V-OPS"], ["D-INS"]),
    ("CDC-CLIENT", "administrative", 3, False, "working_hours", 200, "2024 版",
     D(2014, 1, 1), "", ["V-OPS"], ["D-PREV"]),
    ("BLOOD", "clinical", 1, True, "7x24", 3000, "V4.0", D(2017, 8, 1), "V-OPS", ["V-OPS"],
     ["D-BLOOD", "D-OR", "D-ICU"]),
    ("BLOOD-OPT", "clinical", 2, True, "7x24", 1000, "V4.2", D(2023, 3, 1), "V-OPS",
     ["V-OPS"], ["D-BLOOD"]),
    ("ENDO-PATH-IF", "platform", 3, False, "working_hours", 500, "V1.0", D(2022, 11, 1),
     "V-KANGLIAN", ["V-OPS"], ["D-ENDO", "D-PATH"]),
    ("ID-WARN", "clinical", 2, False, "7x24", 800, "V2.3", D(2020, 4, 1), "V-ANTAI",
     ["V-OPS"], ["D-PREV", "D-INF", "D-IC"]),
    ("SD", "administrative", 3, False, "working_hours", 500, "V2.0", D(2019, 10, 1),
     "V-OPS", ["V-OPS"], ["D-QC", "D-MED"]),
    ("FLU", "clinical", 3, False, "working_hours", 300, "V1.5", D(2020, 2, 1), "V-ANTAI",
     ["V-OPS"], ["D-PREV", "D-INF"]),
    ("EXAM-ONLINE", "research_teaching", 4, False, "working_hours", 100, "V3.3",
     D(2018, 5, 1), "V-EDU", ["V-OPS"], ["D-EDU", "D-NUR"]),
    ("ID-PUSH", "clinical", 2, False, "7x24", 500, "V1.4", D(2021, 6, 1), "V-ANTAI",
     ["V-OPS"], ["D-PREV", "D-INF"]),
    ("BOOKING", "public_facing", 2, False, "7x24", 6000, "V2.0", D(2023, 6, 1), "V-HUAKANG",
     ["V-OPS"], ["D-OPD", "D-RAD", "D-US"]),
    ("RAD-CALL", "public_facing", 3, False, "working_hours", 600, "V2.4", D(2021, 3, 1),
     "V-MINGDE", ["V-OPS"], ["D-RAD", "D-US"]),
    ("PV", "administrative", 3, False, "working_hours", 200, "V2.0", D(2020, 12, 1),
     "V-OPS", ["V-OPS"], ["D-PHARM"]),
    ("IMG-CENTER", "medical_technical", 2, False, "7x24", 5000, "V3.5", D(2020, 8, 1),
     "V-MINGDE", ["V-MINGDE", "V-OPS"], ["D-RAD", "D-US", "D-ENDO"]),
    ("BLOOD-2", "clinical", 2, True, "7x24", 1000, "V5.0", D(2024, 9, 1), "V-OPS",
     ["V-OPS"], ["D-BLOOD", "D-OR"]),
    ("WECHAT-FIN", "public_facing", 3, False, "7x24", 1500, "二期", D(2022, 12, 1), "V-OPS",
     ["V-OPS"], ["D-FIN"]),
    ("OA", "administrative", 3, False, "working_hours", 500, "V9.0", D(2018, 1, 1),
     "V-ANTAI", ["V-OPS"], ["D-OFFICE", "D-HR", "D-IT"]),
    ("WEB", "public_facing", 4, False, "7x24", 100, "V3.0", D(2019, 1, 1), "V-OPS",
     ["V-OPS"], ["D-PR"]),
)

# Names of the systems not in the annex (those are named in ANNEX_001).
SYSTEM_NAMES = {
    "HIS": "医院信息系统（HIS）",
    "EMR": "电子病历系统（EMR）",
    "LIS": "检验信息系统（LIS）",
    "ESB": "医院信息集成平台",
    "ORIS": "手术麻醉管理系统",
    "ENDO": "内镜管理系统",
    "TWIN": "公立医院综合管理数字孪生交互可视化系统",
    "ICU-JH": "嘉和重症系统",
    "HD": "血透信息管理系统",
    "CKD-PD": "CKD及腹膜透析管理系统",
    "SURG-VIDEO": "手术操作视频教学平台",
    "EXAM-STD": "住培考试系统",
}

# Where each system not in the annex comes from (kept in its notes).
SYSTEM_NOTES = {
    "TWIN": "招标文本 000：公立医院综合管理数字孪生交互可视化系统运维服务（2025-2026 年度）。",
    "ICU-JH": "招标文本 002：嘉和重症系统运维服务项目。东院区重症医学科使用。",
    "HD": "招标文本 003：血透信息管理系统维护服务，电话 7×24 小时响应，紧急故障 2 小时到场。",
    "CKD-PD": "招标文本 003：CKD及腹膜透析管理系统维护服务。",
    "SURG-VIDEO": "招标文本 004：不少于 300 台高清手术操作视频，支持 PC 端与移动端，"
                  "7×24 小时运行。",
    "EXAM-STD": "招标文本 004：考试系统，住培题库、执医题库、三基题库年更新率 10% 以上。",
}

# ---------------------------------------------------------------------------------------
# Hosts (主机). Hypervisors are physical; virtual machines run_on them (RELATIONS).
# ---------------------------------------------------------------------------------------

HOSTS = rows(
    "code name hostname addresses os_family os_version machine_kind cpu_cores memory_mb "
    "disk_gb room rack network_zone",
    # Virtualisation clusters in the main server room.
    ("HV-01", "虚拟化主机 01（VMware）", "esxi-01", ["10.10.1.11"], "other",
     "VMware ESXi 7.0 U3", "physical", 64, 524288, 480, "DC-MAIN", "C01-U10", "internal"),
    ("HV-02", "虚拟化主机 02（VMware）", "esxi-02", ["10.10.1.12"], "other",
     "VMware ESXi 7.0 U3", "physical", 64, 524288, 480, "DC-MAIN", "C01-U14", "internal"),
    ("HV-03", "虚拟化主机 03（VMware）", "esxi-03", ["10.10.1.13"], "other",
     "VMware ESXi 7.0 U3", "physical", 64, 524288, 480, "DC-MAIN", "C01-U18", "internal"),
    ("HV-XC-01", "信创虚拟化主机 01（openEuler KVM）", "xc-kvm-01", ["10.10.1.21"],
     "openeuler", "openEuler 22.03 LTS SP2", "physical", 128, 524288, 960, "DC-MAIN",
     "C02-U10", "internal"),
    ("HV-XC-02", "信创虚拟化主机 02（openEuler KVM）", "xc-kvm-02", ["10.10.1.22"],
     "openeuler", "openEuler 22.03 LTS SP2", "physical", 128, 524288, 960, "DC-MAIN",
     "C02-U14", "internal"),
    ("HV-DMZ-01", "DMZ 虚拟化主机（VMware）", "esxi-dmz-01", ["172.16.100.11"], "other",
     "VMware ESXi 7.0 U3", "physical", 32, 262144, 480, "DC-MAIN", "C03-U10", "external"),
    # Physical database servers.
    ("DB-HIS-01", "HIS 数据库服务器 01（RAC 节点 1）", "his-db-01", ["10.10.2.11"], "rhel",
     "CentOS 7.9", "physical", 48, 393216, 1200, "DC-MAIN", "B04-U10", "internal"),
    ("DB-HIS-02", "HIS 数据库服务器 02（RAC 节点 2）", "his-db-02", ["10.10.2.12"], "rhel",
     "CentOS 7.9", "physical", 48, 393216, 1200, "DC-MAIN", "B04-U14", "internal"),
    ("DB-EMR-01", "EMR 数据库服务器", "emr-db-01", ["10.10.2.21"], "rhel",
     "Red Hat Enterprise Linux 8.6", "physical", 32, 262144, 2400, "DC-MAIN", "B04-U18",
     "internal"),
    ("DB-PACS-01", "PACS 数据库服务器", "pacs-db-01", ["10.10.2.31"], "windows_server",
     "Windows Server 2019 Datacenter", "physical", 24, 131072, 1200, "DC-MAIN", "B05-U10",
     "internal"),
    ("DB-DR-01", "灾备数据库服务器（Data Guard）", "dr-db-01", ["10.20.2.11"], "rhel",
     "CentOS 7.9", "physical", 48, 393216, 2400, "DC-DR", "R04-U10", "internal"),
    # Virtual machines: core systems.
    ("VM-HIS-APP-01", "HIS 应用服务器 01", "his-app-01", ["10.10.10.11"], "windows_server",
     "Windows Server 2016 Standard", "virtual", 16, 32768, 200, "", "", "internal"),
    ("VM-HIS-APP-02", "HIS 应用服务器 02", "his-app-02", ["10.10.10.12"], "windows_server",
     "Windows Server 2016 Standard", "virtual", 16, 32768, 200, "", "", "internal"),
    ("VM-EMR-APP-01", "EMR 应用服务器", "emr-app-01", ["10.10.10.21"], "windows_server",
     "Windows Server 2019 Standard", "virtual", 16, 32768, 200, "", "", "internal"),
    ("VM-LIS-01", "LIS 应用与数据库服务器", "lis-01", ["10.10.10.31"], "windows_server",
     "Windows Server 2012 R2", "virtual", 12, 32768, 800, "", "", "internal"),
    ("VM-PACS-APP-01", "PACS/RIS 应用服务器", "pacs-app-01", ["10.10.10.41"],
     "windows_server", "Windows Server 2019 Standard", "virtual", 16, 65536, 300, "", "",
     "internal"),
    ("VM-ESB-01", "集成平台服务器 01", "esb-01", ["10.10.10.51"], "rhel", "CentOS 7.9",
     "virtual", 16, 32768, 300, "", "", "internal"),
    ("VM-ESB-02", "集成平台服务器 02", "esb-02", ["10.10.10.52"], "rhel", "CentOS 7.9",
     "virtual", 16, 32768, 300, "", "", "internal"),
    ("VM-ORIS-01", "手麻系统服务器", "oris-01", ["10.10.10.61"], "windows_server",
     "Windows Server 2016 Standard", "virtual", 8, 16384, 300, "", "", "internal"),
    ("VM-ENDO-01", "内镜与影像中心服务器", "endo-01", ["10.10.10.71"], "windows_server",
     "Windows Server 2019 Standard", "virtual", 8, 16384, 500, "", "", "internal"),
    # Virtual machines: critical care, dialysis, medical-technical systems.
    ("VM-ICU-MJ-01", "ICU 重症平台服务器（米健）", "icu-mj-01", ["10.10.11.11"],
     "windows_server", "Windows Server 2016 Standard", "virtual", 8, 32768, 500, "", "",
     "internal"),
    ("VM-ICU-MD-01", "重症监护管理服务器（麦迪斯顿）", "icu-md-01", ["10.10.11.12"],
     "windows_server", "Windows Server 2012 R2", "virtual", 8, 16384, 300, "", "",
     "internal"),
    ("VM-ICU-JH-01", "嘉和重症系统服务器", "icu-jh-01", ["10.10.11.13"], "windows_server",
     "Windows Server 2019 Standard", "virtual", 8, 32768, 500, "", "", "internal"),
    ("VM-HD-01", "血透与 CKD 服务器", "hd-01", ["10.10.11.21"], "rhel", "CentOS 7.9",
     "virtual", 8, 16384, 500, "", "", "internal"),
    ("VM-PATH-01", "病理系统服务器", "path-01", ["10.10.11.31"], "windows_server",
     "Windows Server 2016 Standard", "virtual", 8, 16384, 500, "", "", "internal"),
    ("VM-US-01", "超声管理系统服务器", "us-01", ["10.10.11.41"], "windows_server",
     "Windows Server 2016 Standard", "virtual", 8, 16384, 300, "", "", "internal"),
    ("VM-ART-01", "辅助生殖与产前诊断服务器", "art-01", ["10.10.11.51"], "windows_server",
     "Windows Server 2019 Standard", "virtual", 8, 16384, 500, "", "", "internal"),
    ("VM-BLOOD-01", "临床用血系统服务器", "blood-01", ["10.10.11.61"], "windows_server",
     "Windows Server 2016 Standard", "virtual", 8, 16384, 300, "", "", "internal"),
    ("VM-RAD-Q-01", "放射叫号与智能呼叫服务器", "rad-q-01", ["10.10.11.71"],
     "windows_server", "Windows Server 2016 Standard", "virtual", 4, 8192, 100, "", "",
     "internal"),
    ("VM-APPS-01", "综合业务服务器（康复/儿保/输送）", "apps-01", ["10.10.11.81"], "rhel",
     "CentOS 7.9", "virtual", 8, 16384, 300, "", "", "internal"),
    ("VM-INS-01", "医保审核与申报服务器", "ins-01", ["10.10.11.91"], "rhel",
     "Rocky Linux 8.8", "virtual", 8, 32768, 300, "", "", "internal"),
    ("VM-EDU-01", "教学考试服务器", "edu-01", ["10.10.11.101"], "ubuntu_debian",
     "Ubuntu 22.04 LTS", "virtual", 8, 16384, 500, "", "", "internal"),
    ("VM-PV-01", "药物警戒与单病种服务器", "pv-01", ["10.10.11.111"], "rhel",
     "CentOS 7.9", "virtual", 4, 8192, 200, "", "", "internal"),
    ("VM-TWIN-01", "数字孪生可视化服务器", "twin-01", ["10.10.11.121"], "windows_server",
     "Windows Server 2019 Standard", "virtual", 16, 65536, 500, "", "", "internal"),
    # 信创 (domestic) stack on Kylin / UOS.
    ("VM-XC-NIS-01", "院感与传染病监测服务器", "xc-nis-01", ["10.10.20.11"], "kylin",
     "银河麒麟高级服务器操作系统 V10 SP3", "virtual", 8, 16384, 300, "", "", "internal"),
    ("VM-XC-AE-01", "不良事件与伦理服务器", "xc-ae-01", ["10.10.20.21"], "uos",
     "统信 UOS 服务器版 V20 1070", "virtual", 8, 16384, 300, "", "", "internal"),
    ("VM-XC-OA-01", "办公自动化服务器", "xc-oa-01", ["10.10.20.31"], "kylin",
     "银河麒麟高级服务器操作系统 V10 SP3", "virtual", 8, 32768, 500, "", "", "internal"),
    ("VM-XC-DB-01", "信创数据库服务器", "xc-db-01", ["10.10.20.41"], "kylin",
     "银河麒麟高级服务器操作系统 V10 SP3", "virtual", 16, 65536, 1000, "", "",
     "internal"),
    # Internet-facing (DMZ) systems.
    ("VM-DMZ-WEB-01", "门户网站与公众号服务器", "dmz-web-01", ["172.16.100.21"], "rhel",
     "CentOS 7.9", "virtual", 4, 8192, 200, "", "", "external"),
    ("VM-DMZ-BOOK-01", "全业务预约平台前置服务器", "dmz-book-01", ["172.16.100.31"], "rhel",
     "Rocky Linux 8.8", "virtual", 8, 16384, 200, "", "", "external"),
    ("VM-DMZ-VIDEO-01", "手术视频点播服务器", "dmz-video-01", ["172.16.100.41"],
     "ubuntu_debian", "Ubuntu 22.04 LTS", "virtual", 8, 16384, 4000, "", "", "external"),
    # Medical device network: bedside data collection.
    ("GW-ICU-DEV-01", "ICU 床旁设备采集网关", "icu-gw-01", ["10.30.4.10"], "windows_server",
     "Windows Server 2016 Standard", "physical", 4, 8192, 240, "RM-ICU", "", "device"),
    ("GW-HD-DEV-01", "透析机数据采集网关", "hd-gw-01", ["10.30.3.10"], "rhel",
     "CentOS 7.9", "physical", 4, 8192, 240, "RM-HD", "", "device"),
    ("PC-CDC-01", "疾控直报专用终端（KEY）", "cdc-pc-01", ["10.10.50.21"], "windows",
     "Windows 10 专业版", "physical", 4, 8192, 500, "RM-PREV", "", "internal"),
)

# ---------------------------------------------------------------------------------------
# Database instances (数据库实例)
# ---------------------------------------------------------------------------------------

DATABASES = rows(
    "code name engine version host port databases vendor",
    ("DBI-HIS", "HIS Oracle RAC", "oracle", "Oracle 19c (19.21) RAC", "DB-HIS-01", 1521,
     ["HISDB"], "V-HUAKANG"),
    ("DBI-HIS-DG", "HIS Oracle 灾备库（Data Guard）", "oracle", "Oracle 19c (19.21)",
     "DB-DR-01", 1521, ["HISDG"], "V-HUAKANG"),
    ("DBI-EMR", "EMR Oracle 数据库", "oracle", "Oracle 19c (19.21)", "DB-EMR-01", 1521,
     ["EMRDB"], "V-HUAKANG"),
    ("DBI-PACS", "PACS/RIS SQL Server", "sqlserver", "SQL Server 2019 Enterprise",
     "DB-PACS-01", 1433, ["PACS", "RIS"], "V-MINGDE"),
    ("DBI-LIS", "LIS SQL Server", "sqlserver", "SQL Server 2014 Standard", "VM-LIS-01", 1433,
     ["LIS"], "V-RUIJIAN"),
    ("DBI-ESB", "集成平台 PostgreSQL", "postgresql", "PostgreSQL 14.10", "VM-ESB-01", 5432,
     ["esb", "mpi"], "V-KANGLIAN"),
    ("DBI-ORIS", "手麻系统 Oracle", "oracle", "Oracle 11g R2 (11.2.0.4)", "VM-ORIS-01", 1521,
     ["ORIS"], "V-HUAKANG"),
    ("DBI-ENDO", "内镜与影像中心 SQL Server", "sqlserver", "SQL Server 2016 Standard",
     "VM-ENDO-01", 1433, ["ENDO", "IMGCENTER"], "V-MINGDE"),
    ("DBI-ICU-MJ", "ICU 重症平台 SQL Server（米健）", "sqlserver", "SQL Server 2016 Standard",
     "VM-ICU-MJ-01", 1433, ["MJICU"], "V-MIJIAN"),
    ("DBI-ICU-MD", "重症监护 SQL Server（麦迪斯顿）", "sqlserver",
     "SQL Server 2012 Standard", "VM-ICU-MD-01", 1433, ["DOCARE"], "V-MEDIS"),
    ("DBI-ICU-JH", "嘉和重症 SQL Server", "sqlserver", "SQL Server 2019 Standard",
     "VM-ICU-JH-01", 1433, ["JHICIS"], "V-JIAHE"),
    ("DBI-HD", "血透与 CKD MySQL", "mysql", "MySQL 5.7.44", "VM-HD-01", 3306,
     ["hdis", "ckd_pd"], "V-ZHITOU"),
    ("DBI-PATH", "病理 SQL Server", "sqlserver", "SQL Server 2016 Standard", "VM-PATH-01",
     1433, ["PIS", "PATHFLOW", "WSI"], "V-BINGLI"),
    ("DBI-US", "超声 SQL Server", "sqlserver", "SQL Server 2014 Standard", "VM-US-01", 1433,
     ["USIS"], "V-MINGDE"),
    ("DBI-ART", "辅助生殖与产前诊断 SQL Server", "sqlserver", "SQL Server 2017 Standard",
     "VM-ART-01", 1433, ["ART", "PND"], "V-OPS"),
    ("DBI-BLOOD", "临床用血 SQL Server", "sqlserver", "SQL Server 2016 Standard",
     "VM-BLOOD-01", 1433, ["BLOODTRANS"], "V-OPS"),
    ("DBI-APPS", "综合业务 MySQL", "mysql", "MySQL 8.0.36", "VM-APPS-01", 3306,
     ["rehab", "chc", "transport", "trainee"], "V-OPS"),
    ("DBI-INS", "医保审核 PostgreSQL", "postgresql", "PostgreSQL 13.14", "VM-INS-01", 5432,
     ["ins_audit", "ins_gy"], "V-HUAKANG"),
    ("DBI-EDU", "教学考试 MySQL", "mysql", "MySQL 8.0.36", "VM-EDU-01", 3306,
     ["exam_std", "exam_3b", "exam_online"], "V-EDU"),
    ("DBI-PV", "药物警戒与单病种 MariaDB", "mariadb", "MariaDB 10.6.16", "VM-PV-01", 3306,
     ["pv", "single_disease"], "V-OPS"),
    ("DBI-TWIN", "数字孪生 PostgreSQL", "postgresql", "PostgreSQL 15.6", "VM-TWIN-01", 5432,
     ["twin"], "V-TWIN"),
    ("DBI-XC-DM", "信创达梦数据库", "dm", "DM8 (8.1.3.62)", "VM-XC-DB-01", 5236,
     ["NIS", "IDWARN", "FLU", "IDPUSH", "ETHICS"], "V-ANTAI"),
    ("DBI-XC-KB", "信创人大金仓数据库", "kingbase", "KingbaseES V8R6", "VM-XC-DB-01", 54321,
     ["oa", "adverse_event"], "V-ANTAI"),
    ("DBI-DMZ", "互联网业务 MySQL", "mysql", "MySQL 8.0.36", "VM-DMZ-WEB-01", 3306,
     ["website", "wechat_fin", "booking"], "V-OPS"),
)

# ---------------------------------------------------------------------------------------
# Services and middleware (中间件/服务)
# ---------------------------------------------------------------------------------------

SERVICES = rows(
    "code name service_kind software version host endpoints",
    ("SVC-HIS-IIS-01", "HIS 应用服务（IIS）01", "web", "IIS", "10.0", "VM-HIS-APP-01",
     ["http://10.10.10.11/his"]),
    ("SVC-HIS-IIS-02", "HIS 应用服务（IIS）02", "web", "IIS", "10.0", "VM-HIS-APP-02",
     ["http://10.10.10.12/his"]),
    ("SVC-EMR-IIS", "EMR 应用服务（IIS）", "web", "IIS", "10.0", "VM-EMR-APP-01",
     ["http://10.10.10.21/emr"]),
    ("SVC-PACS-WEB", "PACS Web 阅片服务（Tomcat）", "application", "Apache Tomcat", "9.0.85",
     "VM-PACS-APP-01", ["http://10.10.10.41:8080/pacsweb"]),
    ("SVC-ESB-ENGINE-01", "集成引擎节点 01", "integration", "HealthESB", "3.2.7",
     "VM-ESB-01", ["mllp://10.10.10.51:6661", "http://10.10.10.51:8080/fhir"]),
    ("SVC-ESB-ENGINE-02", "集成引擎节点 02", "integration", "HealthESB", "3.2.7",
     "VM-ESB-02", ["mllp://10.10.10.52:6661", "http://10.10.10.52:8080/fhir"]),
    ("SVC-ESB-MQ", "集成平台消息队列（RabbitMQ）", "queue", "RabbitMQ", "3.12.12",
     "VM-ESB-02", ["amqp://10.10.10.52:5672"]),
    ("SVC-ICU-GW", "ICU 床旁设备采集服务（监护仪/呼吸机）", "integration", "米健设备采集中间件",
     "2.8", "GW-ICU-DEV-01", ["tcp://10.30.4.10:2575"]),
    ("SVC-HD-GW", "透析机数据采集服务", "integration", "智透设备网关", "1.6", "GW-HD-DEV-01",
     ["tcp://10.30.3.10:4001"]),
    ("SVC-OA-WL", "OA 应用服务（WebLogic）", "application", "Oracle WebLogic", "12.2.1.4",
     "VM-XC-OA-01", ["http://10.10.20.31:7001/oa"]),
    ("SVC-XC-TONGWEB", "信创应用中间件（东方通 TongWeb）", "application", "TongWeb", "7.0",
     "VM-XC-NIS-01", ["http://10.10.20.11:8088"]),
    ("SVC-DMZ-NGINX", "互联网 Nginx 反向代理", "web", "Nginx", "1.24.0", "VM-DMZ-WEB-01",
     ["https://www.hospital.example", "https://wx.hospital.example"]),
    ("SVC-BOOK-API", "预约平台接口服务（Spring Boot）", "application", "Spring Boot", "2.7.18",
     "VM-DMZ-BOOK-01", ["https://booking.hospital.example/api"]),
    ("SVC-EDU-TOMCAT", "教学考试应用服务（Tomcat）", "application", "Apache Tomcat", "9.0.85",
     "VM-EDU-01", ["http://10.10.11.101:8080"]),
    ("SVC-VIDEO-NGINX", "手术视频点播（Nginx）", "web", "Nginx", "1.24.0", "VM-DMZ-VIDEO-01",
     ["https://video.hospital.example"]),
    ("SVC-TWIN-WEB", "数字孪生渲染服务（IIS）", "web", "IIS", "10.0", "VM-TWIN-01",
     ["http://10.10.11.121/twin"]),
    ("SVC-REDIS-HIS", "HIS 缓存（Redis）", "cache", "Redis", "6.2.14", "VM-HIS-APP-02",
     ["redis://10.10.10.12:6379"]),
)

# ---------------------------------------------------------------------------------------
# Interfaces (接口) between systems
# ---------------------------------------------------------------------------------------

INTERFACES = rows(
    "code name protocol direction source_system target_system endpoint schedule",
    ("IF-HIS-LIS-ORDER", "HIS→LIS 检验申请", "hl7v2_mllp", "one_way", "HIS", "LIS",
     "mllp://10.10.10.51:6661 (OML^O21)", "实时"),
    ("IF-LIS-HIS-RESULT", "LIS→HIS 检验结果", "hl7v2_mllp", "one_way", "LIS", "HIS",
     "mllp://10.10.10.51:6662 (ORU^R01)", "实时"),
    ("IF-LIS-EMR-REPORT", "LIS→EMR 检验报告", "soap", "one_way", "LIS", "EMR",
     "http://10.10.10.51:8080/ws/LabReport", "实时"),
    ("IF-HIS-PACS-ORDER", "HIS→PACS 检查申请", "hl7v2_mllp", "one_way", "HIS", "PACS",
     "mllp://10.10.10.51:6663 (ORM^O01)", "实时"),
    ("IF-PACS-EMR-REPORT", "PACS→EMR 影像报告", "soap", "one_way", "PACS", "EMR",
     "http://10.10.10.51:8080/ws/ExamReport", "实时"),
    ("IF-HIS-EMR", "HIS→EMR 患者与医嘱", "db_view", "one_way", "HIS", "EMR",
     "HISDB.V_EMR_PATIENT / V_EMR_ORDER", "实时"),
    ("IF-HIS-ESB-FHIR", "HIS↔集成平台 FHIR 主数据", "fhir", "two_way", "HIS", "ESB",
     "http://10.10.10.51:8080/fhir", "实时"),
    ("IF-ESB-EMR-SOAP", "集成平台→EMR 文档注册（SOAP）", "soap", "one_way", "ESB", "EMR",
     "http://10.10.10.21/emr/ws/DocumentRegistry", "实时"),
    ("IF-HIS-ICU-ADT", "HIS→ICU 患者入出转（米健）", "hl7v2_mllp", "one_way", "HIS", "ICU-MJ",
     "mllp://10.10.10.51:6664 (ADT^A01/A02/A03)", "实时"),
    ("IF-HIS-ICU-MD-ADT", "HIS→重症监护 患者入出转（麦迪斯顿）", "hl7v2_mllp", "one_way",
     "HIS", "ICU-MD", "mllp://10.10.10.51:6665 (ADT)", "实时"),
    ("IF-HIS-ICU-JH", "HIS→嘉和重症 患者与医嘱", "rest", "one_way", "HIS", "ICU-JH",
     "http://10.10.10.51:8080/api/icu/jh", "实时"),
    ("IF-ICU-EMR", "ICU→EMR 重症护理记录", "soap", "one_way", "ICU-MJ", "EMR",
     "http://10.10.10.51:8080/ws/NursingRecord", "每 15 分钟"),
    ("IF-HIS-HD", "HIS→血透 患者与收费", "rest", "two_way", "HIS", "HD",
     "http://10.10.11.21:8080/api/his", "实时"),
    ("IF-HD-CKD", "血透→CKD 随访数据", "db_view", "one_way", "HD", "CKD-PD",
     "hdis.v_ckd_followup", "每日 01:00"),
    ("IF-HIS-BLOOD", "HIS→临床用血 输血申请", "hl7v2_mllp", "one_way", "HIS", "BLOOD",
     "mllp://10.10.10.51:6666", "实时"),
    ("IF-LIS-BLOOD", "LIS→临床用血 血型与交叉配血结果", "db_view", "one_way", "LIS", "BLOOD",
     "LIS.dbo.V_BLOOD_TYPE", "实时"),
    ("IF-ENDO-PATH", "内镜→病理 标本申请单", "soap", "one_way", "ENDO", "PATH-DX",
     "http://10.10.10.51:8080/ws/PathologyRequest", "实时"),
    ("IF-PATH-EMR", "病理→EMR 病理报告", "soap", "one_way", "PATH-DX", "EMR",
     "http://10.10.10.51:8080/ws/PathologyReport", "实时"),
    ("IF-HIS-INS", "HIS→医保智能审核 结算明细", "rest", "one_way", "HIS", "INS-AUDIT",
     "http://10.10.11.91:8080/api/claims", "实时"),
    ("IF-EMR-NIS", "EMR→院感监控 病程与检验", "db_view", "one_way", "EMR", "NIS-RT",
     "EMRDB.V_NIS_FEED", "每 30 分钟"),
    ("IF-EMR-IDWARN", "EMR→传染病监测预警 诊断数据", "rest", "one_way", "EMR", "ID-WARN",
     "http://10.10.20.11:8088/api/diagnosis", "实时"),
    ("IF-IDWARN-PUSH", "传染病预警→报告推送", "rest", "one_way", "ID-WARN", "ID-PUSH",
     "http://10.10.20.11:8088/api/push", "实时"),
    ("IF-BOOK-HIS", "预约平台↔HIS 号源与预约", "rest", "two_way", "BOOKING", "HIS",
     "https://booking.hospital.example/api/his", "实时"),
    ("IF-PACS-QUEUE", "PACS→放射叫号 登记队列", "db_view", "one_way", "PACS", "RAD-QUEUE",
     "RIS.dbo.V_QUEUE", "实时"),
    ("IF-EMR-SD", "EMR→单病种 上报数据", "file_drop", "one_way", "EMR", "SD",
     "\\\\10.10.11.111\\sd_upload", "每日 02:00"),
    ("IF-HIS-TWIN", "HIS→数字孪生 运营指标", "rest", "one_way", "HIS", "TWIN",
     "http://10.10.11.121/twin/api/metrics", "每 5 分钟"),
)

# ---------------------------------------------------------------------------------------
# Backup jobs (备份任务): local to the backup appliance, off-site to the DR room.
# ---------------------------------------------------------------------------------------

BACKUP_JOBS = rows(
    "code name method tool local_destination offsite_destination schedule retention_days "
    "storage",
    ("BK-HIS-RMAN-FULL", "HIS Oracle RMAN 全量备份", "full", "RMAN", "备份一体机 /rman/his",
     "灾备机房 OceanProtect /his", "每日 01:00", 30, "STO-BAK-01"),
    ("BK-HIS-RMAN-ARCH", "HIS Oracle 归档日志备份", "log", "RMAN", "备份一体机 /rman/his_arch",
     "灾备机房 OceanProtect /his_arch", "每 30 分钟", 14, "STO-BAK-01"),
    ("BK-HIS-DG", "HIS Data Guard 实时同步至灾备机房", "replication", "Oracle Data Guard",
     "", "灾备机房 dr-db-01", "实时", 0, "STO-DR-01"),
    ("BK-EMR-RMAN", "EMR Oracle RMAN 全量 + 增量", "incremental", "RMAN",
     "备份一体机 /rman/emr", "灾备机房 OceanProtect /emr", "每日 02:00（周日全量）", 30,
     "STO-BAK-01"),
    ("BK-PACS-SQL", "PACS/RIS SQL Server 完整备份", "full", "SQL Server 维护计划",
     "备份一体机 /mssql/pacs", "灾备机房 OceanProtect /pacs", "每日 00:30", 30,
     "STO-BAK-01"),
    ("BK-PACS-IMAGES", "PACS 影像归档复制至灾备", "replication", "OceanStor HyperReplication",
     "影像归档 NAS", "灾备机房 OceanProtect /pacs_images", "每日 03:00", 3650, "STO-DR-01"),
    ("BK-SQL-CLINICAL", "临床 SQL Server 库完整备份（LIS/ICU/病理/用血/生殖）", "full",
     "爱数 AnyBackup", "备份一体机 /mssql/clinical", "灾备机房 OceanProtect /mssql",
     "每日 01:30", 30, "STO-BAK-01"),
    ("BK-MYSQL-APPS", "MySQL/MariaDB 逻辑备份", "full", "mysqldump / mariabackup",
     "备份一体机 /mysql", "灾备机房 OceanProtect /mysql", "每日 02:30", 14, "STO-BAK-01"),
    ("BK-PG-APPS", "PostgreSQL 基础备份 + WAL 归档", "full", "pg_basebackup",
     "备份一体机 /pg", "灾备机房 OceanProtect /pg", "每日 03:00", 14, "STO-BAK-01"),
    ("BK-XC-DB", "达梦/金仓信创库备份", "full", "DM dmrman / sys_rman",
     "备份一体机 /xc", "灾备机房 OceanProtect /xc", "每日 02:00", 30, "STO-BAK-01"),
    ("BK-VM-SNAP", "虚拟机整机快照备份", "snapshot", "Veeam Backup & Replication 12",
     "备份一体机 /veeam", "", "每周日 22:00", 28, "STO-BAK-01"),
    ("BK-TAPE-MONTHLY", "月度离线磁带归档", "full", "IBM Spectrum Protect", "",
     "灾备机房磁带库", "每月 1 日 23:00", 3650, "STO-TAPE"),
)

# ---------------------------------------------------------------------------------------
# Typed relations: (source, type, target, note)
# ---------------------------------------------------------------------------------------

_VMWARE = {
    "HV-01": ["VM-HIS-APP-01", "VM-EMR-APP-01", "VM-PACS-APP-01", "VM-ESB-01", "VM-ICU-MJ-01",
              "VM-HD-01", "VM-ART-01", "VM-RAD-Q-01", "VM-EDU-01"],
    "HV-02": ["VM-HIS-APP-02", "VM-LIS-01", "VM-ESB-02", "VM-ORIS-01", "VM-ICU-MD-01",
              "VM-PATH-01", "VM-BLOOD-01", "VM-APPS-01", "VM-PV-01"],
    "HV-03": ["VM-ENDO-01", "VM-ICU-JH-01", "VM-US-01", "VM-INS-01", "VM-TWIN-01"],
    "HV-XC-01": ["VM-XC-NIS-01", "VM-XC-DB-01"],
    "HV-XC-02": ["VM-XC-AE-01", "VM-XC-OA-01"],
    "HV-DMZ-01": ["VM-DMZ-WEB-01", "VM-DMZ-BOOK-01", "VM-DMZ-VIDEO-01"],
}

# system: (hosts it runs on, databases it uses, services it depends on)
_SYSTEM_STACK: dict[str, tuple[list[str], list[str], list[str]]] = {
    "HIS": (["VM-HIS-APP-01", "VM-HIS-APP-02"], ["DBI-HIS"],
            ["SVC-HIS-IIS-01", "SVC-HIS-IIS-02", "SVC-REDIS-HIS"]),
    "EMR": (["VM-EMR-APP-01"], ["DBI-EMR"], ["SVC-EMR-IIS"]),
    "LIS": (["VM-LIS-01"], ["DBI-LIS"], []),
    "ESB": (["VM-ESB-01", "VM-ESB-02"], ["DBI-ESB"],
            ["SVC-ESB-ENGINE-01", "SVC-ESB-ENGINE-02", "SVC-ESB-MQ"]),
    "ORIS": (["VM-ORIS-01"], ["DBI-ORIS"], []),
    "ENDO": (["VM-ENDO-01"], ["DBI-ENDO"], []),
    "TWIN": (["VM-TWIN-01"], ["DBI-TWIN"], ["SVC-TWIN-WEB"]),
    "ICU-JH": (["VM-ICU-JH-01"], ["DBI-ICU-JH"], []),
    "HD": (["VM-HD-01"], ["DBI-HD"], ["SVC-HD-GW"]),
    "CKD-PD": (["VM-HD-01"], ["DBI-HD"], []),
    "SURG-VIDEO": (["VM-DMZ-VIDEO-01"], [], ["SVC-VIDEO-NGINX"]),
    "EXAM-STD": (["VM-EDU-01"], ["DBI-EDU"], ["SVC-EDU-TOMCAT"]),
    "ICU-MJ": (["VM-ICU-MJ-01"], ["DBI-ICU-MJ"], ["SVC-ICU-GW"]),
    "ICU-MD": (["VM-ICU-MD-01"], ["DBI-ICU-MD"], []),
    "US": (["VM-US-01"], ["DBI-US"], []),
    "AE": (["VM-XC-AE-01"], ["DBI-XC-KB"], []),
    "PATH-DX": (["VM-PATH-01"], ["DBI-PATH"], []),
    "PATH-FLOW": (["VM-PATH-01"], ["DBI-PATH"], []),
    "PATH-WSI": (["VM-PATH-01"], ["DBI-PATH"], []),
    "NIS-RT": (["VM-XC-NIS-01"], ["DBI-XC-DM"], ["SVC-XC-TONGWEB"]),
    "ART": (["VM-ART-01"], ["DBI-ART"], []),
    "RAD-QUEUE": (["VM-RAD-Q-01"], [], []),
    "PACS": (["VM-PACS-APP-01"], ["DBI-PACS"], ["SVC-PACS-WEB"]),
    "REHAB": (["VM-APPS-01"], ["DBI-APPS"], []),
    "PND": (["VM-ART-01"], ["DBI-ART"], []),
    "TRANSPORT": (["VM-APPS-01"], ["DBI-APPS"], []),
    "EXAM-3B": (["VM-EDU-01"], ["DBI-EDU"], ["SVC-EDU-TOMCAT"]),
    "INS-GY": (["VM-INS-01"], ["DBI-INS"], []),
    "ETHICS": (["VM-XC-AE-01"], ["DBI-XC-DM"], []),
    "CHC": (["VM-APPS-01"], ["DBI-APPS"], []),
    "TRAINEE": (["VM-APPS-01"], ["DBI-APPS"], []),
    "INS-AUDIT": (["VM-INS-01"], ["DBI-INS"], []),
    "CDC-CLIENT": (["PC-CDC-01"], [], []),
    "BLOOD": (["VM-BLOOD-01"], ["DBI-BLOOD"], []),
    "BLOOD-OPT": (["VM-BLOOD-01"], ["DBI-BLOOD"], []),
    "ENDO-PATH-IF": (["VM-ESB-01"], [], ["SVC-ESB-ENGINE-01"]),
    "ID-WARN": (["VM-XC-NIS-01"], ["DBI-XC-DM"], ["SVC-XC-TONGWEB"]),
    "SD": (["VM-PV-01"], ["DBI-PV"], []),
    "FLU": (["VM-XC-NIS-01"], ["DBI-XC-DM"], ["SVC-XC-TONGWEB"]),
    "EXAM-ONLINE": (["VM-EDU-01"], ["DBI-EDU"], ["SVC-EDU-TOMCAT"]),
    "ID-PUSH": (["VM-XC-NIS-01"], ["DBI-XC-DM"], ["SVC-XC-TONGWEB"]),
    "BOOKING": (["VM-DMZ-BOOK-01"], ["DBI-DMZ"], ["SVC-BOOK-API", "SVC-DMZ-NGINX"]),
    "RAD-CALL": (["VM-RAD-Q-01"], [], []),
    "PV": (["VM-PV-01"], ["DBI-PV"], []),
    "IMG-CENTER": (["VM-ENDO-01"], ["DBI-ENDO"], []),
    "BLOOD-2": (["VM-BLOOD-01"], ["DBI-BLOOD"], []),
    "WECHAT-FIN": (["VM-DMZ-WEB-01"], ["DBI-DMZ"], ["SVC-DMZ-NGINX"]),
    "OA": (["VM-XC-OA-01"], ["DBI-XC-KB"], ["SVC-OA-WL"]),
    "WEB": (["VM-DMZ-WEB-01"], ["DBI-DMZ"], ["SVC-DMZ-NGINX"]),
}

# Systems that need other systems (a DAG: no system depends on one that needs it).
_SYSTEM_NEEDS = [
    ("RAD-QUEUE", "PACS", "登记队列来自 RIS"),
    ("RAD-CALL", "PACS", "呼叫队列来自 RIS"),
    ("IMG-CENTER", "PACS", "影像调阅"),
    ("PATH-FLOW", "PATH-DX", "同一病理平台"),
    ("PATH-WSI", "PATH-DX", "切片关联病理号"),
    ("BLOOD-OPT", "BLOOD", "输血系统优化模块"),
    ("BLOOD-2", "BLOOD", "二期优化模块"),
    ("ENDO-PATH-IF", "ESB", "经集成引擎转发"),
    ("INS-GY", "HIS", "读取 HIS 费用明细"),
    ("FLU", "ID-WARN", "流感监测数据来自预警系统"),
    ("WECHAT-FIN", "HIS", "缴费与电子票据查询"),
]

RELATIONS: list[tuple[str, str, str, str]] = [
    *[(vm, "runs_on", hv, "") for hv, vms in _VMWARE.items() for vm in vms],
    *[(sys, "runs_on", host, "") for sys, (hosts, _, _) in _SYSTEM_STACK.items()
      for host in hosts],
    *[(sys, "uses_database", db, "") for sys, (_, dbs, _) in _SYSTEM_STACK.items()
      for db in dbs],
    *[(sys, "depends_on", svc, "") for sys, (_, _, svcs) in _SYSTEM_STACK.items()
      for svc in svcs],
    *[(a, "depends_on", b, note) for a, b, note in _SYSTEM_NEEDS],
    # Second RAC node, the physical database servers' network and storage.
    ("DBI-HIS", "runs_on", "DB-HIS-02", "RAC 节点 2"),
    *[(host, "depends_on", "STO-SAN-01", "数据盘在 SAN") for host in
      ("HV-01", "HV-02", "HV-03", "HV-XC-01", "HV-XC-02", "DB-HIS-01", "DB-HIS-02",
       "DB-EMR-01", "DB-PACS-01")],
    *[(host, "depends_on", "NET-CORE-01", "") for host in
      ("HV-01", "HV-02", "HV-03", "HV-XC-01", "HV-XC-02", "DB-HIS-01", "DB-HIS-02",
       "DB-EMR-01", "DB-PACS-01")],
    ("HV-DMZ-01", "depends_on", "NET-FW-OUT", "互联网出口"),
    ("GW-ICU-DEV-01", "depends_on", "NET-FW-DEV", "设备网隔离"),
    ("GW-HD-DEV-01", "depends_on", "NET-FW-DEV", "设备网隔离"),
    ("DB-DR-01", "depends_on", "NET-DR-SW", ""),
    ("SVC-HIS-IIS-01", "depends_on", "NET-LB-01", "负载均衡 VIP 10.10.10.10"),
    ("SVC-HIS-IIS-02", "depends_on", "NET-LB-01", "负载均衡 VIP 10.10.10.10"),
    ("PACS", "depends_on", "STO-NAS-PACS", "影像归档"),
    ("PATH-WSI", "depends_on", "STO-NAS-PACS", "数字切片文件"),
    ("SURG-VIDEO", "depends_on", "STO-NAS-PACS", "视频文件"),
    # Interfaces routed through the integration engine.
    *[(interface, "depends_on", "SVC-ESB-ENGINE-01", "经集成引擎") for interface in
      ("IF-HIS-LIS-ORDER", "IF-LIS-HIS-RESULT", "IF-LIS-EMR-REPORT", "IF-HIS-PACS-ORDER",
       "IF-PACS-EMR-REPORT", "IF-HIS-ICU-ADT", "IF-HIS-ICU-MD-ADT", "IF-HIS-ICU-JH",
       "IF-ICU-EMR", "IF-HIS-BLOOD", "IF-ENDO-PATH", "IF-PATH-EMR")],
    # Backups.
    ("DBI-HIS", "backed_up_by", "BK-HIS-RMAN-FULL", ""),
    ("DBI-HIS", "backed_up_by", "BK-HIS-RMAN-ARCH", ""),
    ("DBI-HIS", "backed_up_by", "BK-HIS-DG", ""),
    ("DBI-EMR", "backed_up_by", "BK-EMR-RMAN", ""),
    ("DBI-PACS", "backed_up_by", "BK-PACS-SQL", ""),
    ("PACS", "backed_up_by", "BK-PACS-IMAGES", "影像文件"),
    *[(db, "backed_up_by", "BK-SQL-CLINICAL", "") for db in
      ("DBI-LIS", "DBI-ICU-MJ", "DBI-ICU-MD", "DBI-ICU-JH", "DBI-PATH", "DBI-US", "DBI-ART",
       "DBI-BLOOD", "DBI-ENDO")],
    *[(db, "backed_up_by", "BK-MYSQL-APPS", "") for db in
      ("DBI-HD", "DBI-APPS", "DBI-EDU", "DBI-PV", "DBI-DMZ")],
    *[(db, "backed_up_by", "BK-PG-APPS", "") for db in ("DBI-ESB", "DBI-INS", "DBI-TWIN")],
    *[(db, "backed_up_by", "BK-XC-DB", "") for db in ("DBI-XC-DM", "DBI-XC-KB")],
    *[(vm, "backed_up_by", "BK-VM-SNAP", "") for vms in _VMWARE.values() for vm in vms],
    ("DBI-HIS", "backed_up_by", "BK-TAPE-MONTHLY", "月度离线归档"),
    ("DBI-EMR", "backed_up_by", "BK-TAPE-MONTHLY", "月度离线归档"),
]

# Tags of some items (the rest have none).
TAGS = {
    "HIS": ["核心系统", "等保三级"],
    "EMR": ["核心系统", "等保三级", "电子病历评级"],
    "LIS": ["核心系统", "等保三级"],
    "PACS": ["核心系统", "等保三级"],
    "ESB": ["核心系统", "互联互通"],
    "BOOKING": ["互联网", "等保三级"],
    "WEB": ["互联网"],
    "WECHAT-FIN": ["互联网"],
    "SURG-VIDEO": ["互联网"],
    "NIS-RT": ["信创"],
    "ID-WARN": ["信创"],
    "ID-PUSH": ["信创"],
    "FLU": ["信创"],
    "AE": ["信创"],
    "ETHICS": ["信创"],
    "OA": ["信创"],
    "DBI-XC-DM": ["信创"],
    "DBI-XC-KB": ["信创"],
}
