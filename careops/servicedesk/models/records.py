"""What a ticket carries besides its timeline: attachments, the change plan, the fault
analysis report, SLA warnings and breaches, the satisfaction survey, mail intake."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from careops.core.models import Secret
from careops.servicedesk.models.tickets import Ticket, TicketEvent


class Attachment(models.Model):
    """A file on a ticket (a screenshot, a log, a signed record). Downloads are audited."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE,
                               related_name="attachments")
    event = models.ForeignKey(TicketEvent, verbose_name=_("timeline entry"), null=True,
                              blank=True, on_delete=models.SET_NULL, related_name="attachments")
    file = models.FileField(_("file"), upload_to="tickets/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    public = models.BooleanField(_("public"), default=True,
                                 help_text=_("Internal attachments are hidden from the reporter."))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"),
                                    null=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"))

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class ChangePlan(models.Model):
    """A change/upgrade's application (seed 004 §(三)2) and what became of it. The window
    is read by monitoring to mute the alerts of the affected items while it runs."""

    ticket = models.OneToOneField(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE,
                                  related_name="change_plan")
    content = models.TextField(_("content of the change"))
    plan = models.TextField(_("implementation plan"))
    window_start = models.DateTimeField(_("window start"), db_index=True)
    window_end = models.DateTimeField(_("window end"), db_index=True)
    risk_level = models.CharField(_("risk level"), max_length=8, choices=RiskLevel.choices,
                                  default=RiskLevel.MEDIUM)
    risk_assessment = models.TextField(_("risk assessment"))
    backup_plan = models.TextField(_("backup plan"))
    rollback_plan = models.TextField(_("rollback plan"))
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("supervisor"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="supervised_changes",
        help_text=_("The hospital's person who watches the implementation."))
    implementation_report = models.TextField(_("implementation report"), blank=True)
    rollback_reason = models.TextField(_("reason for the rollback"), blank=True)

    class Meta:
        verbose_name = _("change plan")
        verbose_name_plural = _("change plans")
        constraints = [models.CheckConstraint(
            condition=models.Q(window_end__gt=models.F("window_start")),
            name="change_window_ordered")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.window_start:%Y-%m-%d %H:%M}"


class AnalysisReport(models.Model):
    """The fault analysis report of a P1/P2 incident, or a problem's root-cause analysis
    (event, root cause, scope, steps taken, prevention). Submitting it meets the
    contract's ``report`` target."""

    ticket = models.OneToOneField(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE,
                                  related_name="analysis")
    event_description = models.TextField(_("what happened"))
    root_cause = models.TextField(_("root cause"))
    scope = models.TextField(_("scope of impact"))
    steps_taken = models.TextField(_("steps taken"))
    prevention = models.TextField(_("prevention"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"),
                               on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted"))

    class Meta:
        verbose_name = _("analysis report")
        verbose_name_plural = _("analysis reports")

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.submitted_at:%Y-%m-%d}"


class NoticeLevel(models.TextChoices):
    WARNING = "warning", _("Warning")
    BREACH = "breach", _("Breach")


class SlaNotice(models.Model):
    """One warning (at a fraction of a target's time) or breach notice that was sent; the
    unique key makes the periodic check idempotent."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE,
                               related_name="sla_notices")
    target = models.CharField(_("target"), max_length=16)
    priority = models.CharField(_("priority"), max_length=32)
    level = models.CharField(_("level"), max_length=8, choices=NoticeLevel.choices)
    threshold = models.DecimalField(_("threshold"), max_digits=4, decimal_places=2,
                                    help_text=_("Fraction of the target's time (1 = breach)."))
    due_at = models.DateTimeField(_("due"))
    sent_at = models.DateTimeField(_("sent"))
    recipients = models.JSONField(_("recipients"), default=list)

    class Meta:
        ordering = ["sent_at", "id"]
        verbose_name = _("SLA notice")
        verbose_name_plural = _("SLA notices")
        constraints = [models.UniqueConstraint(
            fields=["ticket", "target", "priority", "threshold"], name="sla_notice_once")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.target} {self.threshold}"


class BreachCause(models.TextChoices):
    UNEXPLAINED = "unexplained", _("Not yet explained")
    VENDOR = "vendor", _("Vendor")
    HOSPITAL = "hospital", _("Hospital")
    THIRD_PARTY = "third_party", _("Third party")
    FORCE_MAJEURE = "force_majeure", _("Force majeure")


class SlaBreach(models.Model):
    """A target that was missed, with its cause (explained later by the service desk) and
    the contract's remedy: the evidence for penalties and fee reductions."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE,
                               related_name="breaches")
    target = models.CharField(_("target"), max_length=16)
    priority = models.CharField(_("priority"), max_length=32)
    due_at = models.DateTimeField(_("due"))
    breached_at = models.DateTimeField(_("breached"))
    cause = models.CharField(_("cause"), max_length=16, choices=BreachCause.choices,
                             default=BreachCause.UNEXPLAINED)
    explanation = models.TextField(_("explanation"), blank=True)
    remedy = models.TextField(_("contract remedy"), blank=True)
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        ordering = ["-breached_at", "id"]
        verbose_name = _("SLA breach")
        verbose_name_plural = _("SLA breaches")
        constraints = [models.UniqueConstraint(fields=["ticket", "target", "priority"],
                                               name="sla_breach_once")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.target}"


class Survey(models.Model):
    """The satisfaction survey sent when a ticket closes: a single-use link (only the
    token's hash is stored), a score of 1-5 and a comment."""

    ticket = models.OneToOneField(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE,
                                  related_name="survey")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    engineer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("engineer"),
                                 null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="surveys")
    created_at = models.DateTimeField(_("sent"))
    expires_at = models.DateTimeField(_("expires"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(
        _("score"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        constraints = [models.CheckConstraint(
            condition=models.Q(score__isnull=True) | models.Q(score__gte=1, score__lte=5),
            name="survey_score_range")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.score or '-'}"


class Mailbox(models.Model):
    """An IMAP mailbox polled for new tickets and replies (docs/servicedesk.md, Email)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    host = models.CharField(_("IMAP host"), max_length=200)
    port = models.PositiveIntegerField(_("IMAP port"), default=993)
    security = models.CharField(_("security"), max_length=8, default="ssl",
                                choices=[("ssl", _("TLS")), ("starttls", _("STARTTLS")),
                                         ("none", _("None (local network only)"))])
    username = models.CharField(_("user name"), max_length=200)
    password = models.ForeignKey(Secret, verbose_name=_("password"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    folder = models.CharField(_("folder"), max_length=100, default="INBOX")
    kind = models.CharField(_("ticket kind"), max_length=16, default="incident")
    reply_channel = models.ForeignKey(
        "core.Channel", verbose_name=_("acknowledge through"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
        help_text=_("The email notification channel that answers the sender with the new "
                    "ticket's number; empty: no acknowledgement."))
    last_uid = models.PositiveBigIntegerField(default=0, editable=False)
    uid_validity = models.PositiveBigIntegerField(default=0, editable=False)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True,
                                          editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)

    audit_exclude = frozenset({"last_uid", "uid_validity", "last_polled_at", "last_error"})
    audit_secret_fields = frozenset({"password_id"})

    class Meta:
        ordering = ["name"]
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")

    def __str__(self) -> str:
        return self.name


class InboundMail(models.Model):
    """Every message read from a mailbox and what became of it (a new ticket, a reply on
    one, or refused with the reason): the same message is never handled twice."""

    mailbox = models.ForeignKey(Mailbox, verbose_name=_("mailbox"), on_delete=models.CASCADE,
                                related_name="messages")
    uid = models.PositiveBigIntegerField()
    message_id = models.CharField(_("Message-ID"), max_length=250, db_index=True)
    sender = models.CharField(_("from"), max_length=250)
    subject = models.CharField(_("subject"), max_length=250, blank=True)
    received_at = models.DateTimeField(_("received"))
    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="mails")
    outcome = models.CharField(_("outcome"), max_length=16,
                               choices=[("opened", _("Opened a ticket")),
                                        ("reply", _("Added to a ticket")),
                                        ("refused", _("Refused"))])
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-received_at", "id"]
        verbose_name = _("incoming email")
        verbose_name_plural = _("incoming emails")
        constraints = [models.UniqueConstraint(fields=["mailbox", "message_id"],
                                               name="inbound_mail_once")]

    def __str__(self) -> str:
        return f"{self.mailbox_id} {self.message_id}"
