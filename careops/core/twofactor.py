"""Second factor (GB/T 22239-2019 8.1.4.1 d): TOTP authenticator apps plus recovery codes.

Built on django-otp: a user's authenticator is a confirmed ``TOTPDevice`` named
:data:`TOTP_NAME`; the recovery codes are the tokens of a ``StaticDevice`` named
:data:`RECOVERY_NAME` (each code works once). State changes go through
``careops.core.actions.security``; this module only reads and formats.
"""

from __future__ import annotations

import re
import secrets
from base64 import b32encode
from typing import Any

import qrcode
import qrcode.image.svg
from django_otp import verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery"
RECOVERY_CODE_COUNT = 10
# Recovery codes: 10 characters of an alphabet without look-alikes, shown as xxxxx-xxxxx.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 10


def totp_device(user: Any, *, confirmed: bool = True) -> TOTPDevice | None:
    return (TOTPDevice.objects.filter(user=user, confirmed=confirmed)
            .order_by("-id").first())


def recovery_device(user: Any) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, name=RECOVERY_NAME).first()


def has_two_factor(user: Any) -> bool:
    """Whether ``user`` logs in with an authenticator app."""
    return bool(getattr(user, "pk", None)) and TOTPDevice.objects.filter(
        user=user, confirmed=True).exists()


def recovery_codes_left(user: Any) -> int:
    device = recovery_device(user)
    return device.token_set.count() if device is not None else 0


def new_recovery_code() -> str:
    return "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))


def format_recovery_code(code: str) -> str:
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def normalize_code(raw: str) -> str:
    """What the user typed, without spaces or hyphens, lower-case."""
    return re.sub(r"[\s-]+", "", raw or "").lower()


def is_totp_code(code: str) -> bool:
    return code.isdigit() and len(code) in (6, 8)


def base32_key(device: TOTPDevice) -> str:
    """The key as an authenticator app's manual entry shows it: base32 in groups of four."""
    text = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


def qr_svg(data: str) -> str:
    """``data`` as an inline SVG QR code (no script, no style attribute: CSP-safe)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    svg: str = image.to_string(encoding="unicode")
    svg = re.sub(r"^<\?xml[^>]*>\s*", "", svg)
    # Size comes from app.css (.qr svg); drop the fixed millimetre size.
    svg = re.sub(r'\s(width|height)="[^"]*"', "", svg, count=2)
    return svg.replace("<svg", '<svg role="img" aria-hidden="true"', 1)


def throttled(device: Device | None) -> bool:
    """Whether the device refuses codes for now after recent wrong ones."""
    if device is None:
        return False
    allowed, _ = device.verify_is_allowed()
    return not allowed


def verify_second_factor(user: Any, raw_code: str) -> tuple[Device | None, str]:
    """Check a TOTP code or a recovery code of ``user``.

    Returns ``(device, kind)`` with kind ``"totp"`` or ``"recovery"``; device is None when
    the code is wrong (or the device is throttled). A recovery code is used up.
    """
    code = normalize_code(raw_code)
    if not code:
        return None, ""
    if is_totp_code(code):
        device = totp_device(user)
        if device is not None and verify_token(user, device.persistent_id, code):
            return device, "totp"
        return None, "totp"
    recovery = recovery_device(user)
    if recovery is not None and verify_token(user, recovery.persistent_id, code):
        return recovery, "recovery"
    return None, "recovery"
