"""careops.core.uploads: the one size limit and name cleaning of uploaded files."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from careops.core.uploads import check_upload_size, clean_file_name, max_upload_bytes


def test_it_keeps_only_a_printable_base_name(settings: Any) -> None:
    assert clean_file_name("../../etc/passwd", "x") == "passwd"
    assert clean_file_name("C:\\Users\\王\\截图 1.png", "x") == "截图 1.png"
    assert clean_file_name("a\x00b\u202e.txt", "x") == "ab.txt"
    assert clean_file_name(" .. ", "evidence") == "evidence"
    assert clean_file_name("长" * 300, "x", limit=150) == "长" * 150


def test_it_refuses_empty_and_oversized_files_naming_the_field(settings: Any) -> None:
    settings.CAREOPS_MAX_ATTACHMENT_MB = 2
    assert max_upload_bytes() == 2 * 1024 * 1024
    check_upload_size(max_upload_bytes(), "file")
    for size in (0, max_upload_bytes() + 1):
        with pytest.raises(ValidationError) as info:
            check_upload_size(size, "evidence_file")
        assert list(info.value.message_dict) == ["evidence_file"]
