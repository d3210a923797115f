from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from careops.cmdb.models.base import Coded


class Site(Coded):
    """A hospital or a campus (院区)."""

    address = models.CharField(_("address"), max_length=300, blank=True)

    class Meta(Coded.Meta):
        verbose_name = _("site")
        verbose_name_plural = _("sites")


class Building(Coded):
    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT,
                             related_name="buildings")

    class Meta(Coded.Meta):
        verbose_name = _("building")
        verbose_name_plural = _("buildings")


class Floor(Coded):
    building = models.ForeignKey(Building, verbose_name=_("building"), on_delete=models.PROTECT,
                                 related_name="floors")
    level = models.IntegerField(_("level"), help_text=_("Negative for basements."))

    class Meta(Coded.Meta):
        verbose_name = _("floor")
        verbose_name_plural = _("floors")
        ordering = ["building__code", "level"]


class Department(Coded):
    """A clinical or administrative department (科室)."""

    site = models.ForeignKey(Site, verbose_name=_("site"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="departments")
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("members"),
                                     blank=True, related_name="departments",
                                     help_text=_("Department users who report for it."))

    class Meta(Coded.Meta):
        verbose_name = _("department")
        verbose_name_plural = _("departments")


class Vendor(Coded):
    """A supplier or maintenance vendor (服务商)."""

    phone = models.CharField(_("service hotline"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    wechat = models.CharField(_("WeChat"), max_length=64, blank=True)
    website = models.URLField(_("website"), blank=True)
    engineers = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("engineers"),
                                       blank=True, related_name="vendors",
                                       help_text=_("Vendor engineers who log in for it."))

    class Meta(Coded.Meta):
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")


class Contact(models.Model):
    """A person to call: of a vendor (with its escalation order) or of a department."""

    vendor = models.ForeignKey(Vendor, verbose_name=_("vendor"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="contacts")
    department = models.ForeignKey(Department, verbose_name=_("department"), null=True,
                                   blank=True, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    wechat = models.CharField(_("WeChat"), max_length=64, blank=True)
    email = models.EmailField(_("email"), blank=True)
    escalation_level = models.PositiveSmallIntegerField(
        _("escalation level"), default=1,
        help_text=_("1 is called first; higher levels when a ticket is escalated."))
    is_demo = models.BooleanField(_("demo data"), default=False, editable=False)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["vendor_id", "department_id", "escalation_level", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(vendor__isnull=False) | models.Q(department__isnull=False),
                name="cmdb_contact_has_owner"),
        ]

    def __str__(self) -> str:
        return self.name
