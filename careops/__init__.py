"""CareOps: IT operations platform for hospitals (医院智慧运维管理平台)."""

__version__ = "0.1.0"
