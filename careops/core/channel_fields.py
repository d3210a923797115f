"""The settings of each notification channel kind, and their validation.

One table (:data:`KIND_FIELDS`) drives the form (fields depend on the kind), the
API (which names are write-only secrets) and the validation in the actions.
Secret fields are stored in the secret store (``careops.core.secrets``) in one of
the channel's two slots, ``secret`` and ``signing_secret``; everything else goes to
``Channel.config`` (JSON). Bot webhook URLs embed the platform's access key, so they
are secrets too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from careops.core.choices import NotificationKind as Kind
from careops.logic import notify as logic

TEXT, INT, BOOL, CHOICE, EMAIL, EMAILS, URL, MOBILES, SECRET = (
    "text", "int", "bool", "choice", "email", "emails", "url", "mobiles", "secret")


@dataclass(frozen=True)
class Field:
    name: str
    label: Any  # lazy translation
    type: str = TEXT
    required: bool = False
    default: Any = ""
    help: Any = ""
    choices: tuple[tuple[str, Any], ...] = ()
    slot: str = ""  # secrets only: "secret" or "signing_secret"
    minimum: int = 0
    maximum: int = 0


SECURITY_CHOICES = (("starttls", _("STARTTLS")), ("ssl", _("SSL/TLS")),
                    ("none", _("None (plain text)")))
FEISHU_STYLE_CHOICES = (("card", _("Message card")), ("text", _("Plain text")))

_BASE_URL_HELP = _("Leave empty to use the platform's official address. Set it to send "
                   "through a forwarding proxy or a privately deployed platform: it "
                   "replaces the scheme and host of the webhook address.")
_WEBHOOK_HELP = _("The webhook address shown by the platform when the bot was added, or "
                  "only its key. Stored encrypted; leave empty to keep the current one.")
_SIGNING_HELP = _("The signing secret (加签) of the bot, if signing is enabled. Stored "
                  "encrypted; leave empty to keep the current one.")

KIND_FIELDS: dict[str, tuple[Field, ...]] = {
    Kind.EMAIL: (
        Field("host", _("SMTP server"), required=True),
        Field("port", _("Port"), INT, default=587, minimum=1, maximum=65535,
              help=_("Usually 587 with STARTTLS, 465 with SSL/TLS, 25 without.")),
        Field("security", _("Connection security"), CHOICE, default="starttls",
              choices=SECURITY_CHOICES),
        Field("verify_tls", _("Verify the server certificate"), BOOL, default=True),
        Field("username", _("User name"),
              help=_("Leave empty if the server accepts mail without logging in.")),
        Field("password", _("Password"), SECRET, slot="secret",
              help=_("Stored encrypted; leave empty to keep the current one.")),
        Field("from_address", _("Sender address"), EMAIL, required=True),
        Field("to", _("Recipients"), EMAILS, required=True,
              help=_("One address per line or separated by commas.")),
        Field("subject_prefix", _("Subject prefix"), default="CareOps"),
    ),
    Kind.WECOM: (
        Field("webhook_url", _("Webhook address"), SECRET, required=True, slot="secret",
              help=_WEBHOOK_HELP),
        Field("base_url", _("Base URL"), URL, help=_BASE_URL_HELP),
    ),
    Kind.DINGTALK: (
        Field("webhook_url", _("Webhook address"), SECRET, required=True, slot="secret",
              help=_WEBHOOK_HELP),
        Field("signing_secret", _("Signing secret"), SECRET, slot="signing_secret",
              help=_SIGNING_HELP),
        Field("at_mobiles", _("Mention mobiles"), MOBILES, default=[],
              help=_("Mobile numbers of the group members to @mention, one per line.")),
        Field("at_all", _("Mention everyone"), BOOL, default=False),
        Field("base_url", _("Base URL"), URL, help=_BASE_URL_HELP),
    ),
    Kind.FEISHU: (
        Field("webhook_url", _("Webhook address"), SECRET, required=True, slot="secret",
              help=_WEBHOOK_HELP),
        Field("signing_secret", _("Signing secret"), SECRET, slot="signing_secret",
              help=_SIGNING_HELP),
        Field("style", _("Message style"), CHOICE, default="card",
              choices=FEISHU_STYLE_CHOICES),
        Field("base_url", _("Base URL"), URL, help=_BASE_URL_HELP),
    ),
    Kind.WEBHOOK: (
        Field("url", _("URL"), URL, required=True,
              help=_("CareOps POSTs a JSON document to this address.")),
        Field("signing_secret", _("Signing secret"), SECRET, slot="signing_secret",
              help=_("Used to sign each request (header X-CareOps-Signature). Stored "
                     "encrypted; leave empty to keep the current one.")),
        Field("verify_tls", _("Verify the server certificate"), BOOL, default=True),
    ),
}

def fields(kind: str) -> tuple[Field, ...]:
    return KIND_FIELDS.get(kind, ())


def config_fields(kind: str) -> tuple[Field, ...]:
    return tuple(f for f in fields(kind) if f.type != SECRET)


def secret_fields(kind: str) -> tuple[Field, ...]:
    return tuple(f for f in fields(kind) if f.type == SECRET)


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.replace(";", ",").replace("\n", ",").split(",")
    if not isinstance(value, (list, tuple)):
        raise TypeError
    return [str(v).strip() for v in value if str(v).strip()]


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("1", "true", "on", "yes"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("", "0", "false", "off", "no"):
        return False
    if isinstance(value, int):
        return bool(value)
    raise TypeError


def clean(
    kind: str,
    values: Mapping[str, Any],
    *,
    current: Mapping[str, Any] | None = None,
    secrets_set: frozenset[str] = frozenset(),
) -> tuple[dict[str, Any], dict[str, str], dict[str, list[str]]]:
    """Validate ``values`` for ``kind``.

    Returns ``(config, new_secrets, errors)``: the normalised config, the secret
    values to store (by field name; a missing or blank secret keeps the stored one)
    and the errors by field name. ``current`` is the stored config (missing config
    keys keep their value); ``secrets_set`` names the secret fields that already
    have a stored value.
    """
    errors: dict[str, list[str]] = {}
    config: dict[str, Any] = {}
    new_secrets: dict[str, str] = {}
    current = current or {}
    known = {f.name for f in fields(kind)}
    for name in values:
        if name not in known:
            errors.setdefault(name, []).append(
                str(_("Unknown setting for this kind of channel.")))

    def fail(name: str, message: Any) -> None:
        errors.setdefault(name, []).append(str(message))

    for f in fields(kind):
        if f.type == SECRET:
            raw = values.get(f.name)
            value = raw.strip() if isinstance(raw, str) else ""
            if raw is not None and not isinstance(raw, str):
                fail(f.name, _("Enter text."))
            elif value:
                _check_secret(kind, f, value, fail)
                new_secrets[f.name] = value
            elif f.required and f.name not in secrets_set:
                fail(f.name, _("This field is required."))
            continue
        raw = values[f.name] if f.name in values else current.get(f.name, f.default)
        try:
            config[f.name] = _clean_value(f, raw, fail)
        except (TypeError, ValueError):
            fail(f.name, _("This value has the wrong type."))

    if kind == Kind.EMAIL and not errors:
        if (values.get("password") or "password" in secrets_set) and not config.get("username"):
            fail("username", _("A password needs a user name."))
    return config, new_secrets, errors


def _clean_value(f: Field, raw: Any, fail: Any) -> Any:
    if f.type == BOOL:
        return _as_bool(raw)
    if f.type == INT:
        if raw in (None, ""):
            if f.required:
                fail(f.name, _("This field is required."))
            return f.default
        if isinstance(raw, bool):
            raise TypeError
        try:
            number = int(str(raw).strip())
        except ValueError:
            fail(f.name, _("Enter a whole number."))
            return raw
        if not f.minimum <= number <= f.maximum:
            fail(f.name, _("Enter a number from %(min)s to %(max)s.")
                 % {"min": f.minimum, "max": f.maximum})
        return number
    if f.type in (EMAILS, MOBILES):
        items = _as_list(raw)
        check = logic.is_email if f.type == EMAILS else logic.is_mobile
        bad = [item for item in items if not check(item)]
        if bad:
            message = (_("Not a valid email address: %(value)s") if f.type == EMAILS
                       else _("Not a valid mobile number: %(value)s"))
            fail(f.name, message % {"value": ", ".join(bad)})
        elif f.required and not items:
            fail(f.name, _("This field is required."))
        return items
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        raise TypeError
    value = raw.strip()
    if not value:
        if f.required:
            fail(f.name, _("This field is required."))
        return f.default if f.type == CHOICE else ""
    if len(value) > 500:
        fail(f.name, _("At most 500 characters."))
    if f.type == CHOICE and value not in {c for c, _label in f.choices}:
        fail(f.name, _("Choose one of: %(choices)s")
             % {"choices": ", ".join(c for c, _label in f.choices)})
    elif f.type == EMAIL and not logic.is_email(value):
        fail(f.name, _("Not a valid email address: %(value)s") % {"value": value})
    elif f.type == URL and not logic.is_http_url(value):
        fail(f.name, _("Enter an address starting with http:// or https://."))
    return value


def _check_secret(kind: str, f: Field, value: str, fail: Any) -> None:
    if len(value) > 2000:
        fail(f.name, _("At most 2000 characters."))
    elif f.name == "webhook_url":
        if "://" in value:
            if not logic.is_http_url(value):
                fail(f.name, _("Enter an address starting with http:// or https://."))
        elif not logic.is_bot_token(value):
            fail(f.name, _("Enter the webhook address or its key (letters, digits, - and _)."))


def masked_secrets(channel: Any) -> dict[str, str]:
    """Secret field name -> masked hint ("••••••abcd") for the secrets that are set."""
    out: dict[str, str] = {}
    for f in secret_fields(channel.kind):
        secret = getattr(channel, f.slot, None)
        if secret is not None:
            out[f.name] = secret.masked
    return out


def display_config(channel: Any) -> list[tuple[Any, str]]:
    """(label, value) pairs of the non-secret settings, for the detail page."""
    rows: list[tuple[Any, str]] = []
    for f in config_fields(channel.kind):
        value = channel.config.get(f.name, f.default)
        if f.type == BOOL:
            text = str(_("Yes") if value else _("No"))
        elif f.type in (EMAILS, MOBILES):
            text = ", ".join(value or [])
        elif f.type == CHOICE:
            text = str(dict(f.choices).get(value, value))
        else:
            text = str(value) if value not in (None, "") else "—"
        rows.append((f.label, text or "—"))
    return rows
