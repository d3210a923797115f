"""Files people upload (ticket attachments, obligation evidence, mail attachments): one
size limit (``CAREOPS_MAX_ATTACHMENT_MB``), one check and one way to clean a name."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def max_upload_bytes() -> int:
    """The largest file accepted, in bytes (``CAREOPS_MAX_ATTACHMENT_MB``)."""
    return int(settings.CAREOPS_MAX_ATTACHMENT_MB) * 1024 * 1024


def check_upload_size(size: int, field: str) -> None:
    """ValidationError naming ``field`` for an empty file or one over the limit."""
    if not size:
        raise ValidationError({field: [_("The file is empty.")]})
    if size > max_upload_bytes():
        raise ValidationError({field: [
            _("The file is %(size).1f MB; at most %(max)d MB are accepted.")
            % {"size": size / 1048576, "max": max_upload_bytes() // 1048576}]})


def clean_file_name(name: str, default: str, limit: int = 200) -> str:
    """The file's base name without directories or control characters (CJK kept), at
    most ``limit`` characters; ``default`` when nothing is left."""
    base = os.path.basename(name.replace("\\", "/")).strip()
    base = "".join(ch for ch in base if ch.isprintable()).strip(". ")
    return base[:limit] or default
