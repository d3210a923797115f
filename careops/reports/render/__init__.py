"""Document rendering shared by every module: one :class:`Document` (render/model.py)
written as DOCX (render/docx.py), PDF (render/pdf.py) or XLSX (render/xlsx.py).
See docs/reports.md."""

from __future__ import annotations

from dataclasses import dataclass

from careops.reports.render.model import (
    Document,
    Heading,
    KeyValues,
    Paragraph,
    Signatures,
    Table,
)

FORMATS: dict[str, tuple[str, str]] = {
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "pdf": ("application/pdf", "pdf"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}


@dataclass(frozen=True)
class Rendered:
    content: bytes
    filename: str
    content_type: str
    format: str


def render(document: Document, fmt: str) -> Rendered:
    """``document`` as ``fmt`` (docx, pdf or xlsx); KeyError for another format."""
    content_type, extension = FORMATS[fmt]
    if fmt == "docx":
        from careops.reports.render.docx import document_to_docx
        content = document_to_docx(document)
    elif fmt == "pdf":
        from careops.reports.render.pdf import document_to_pdf
        content = document_to_pdf(document)
    else:
        from careops.reports.render.xlsx import document_to_xlsx
        content = document_to_xlsx(document)
    return Rendered(content, f"{document.filename}.{extension}", content_type, fmt)


__all__ = ["FORMATS", "Document", "Heading", "KeyValues", "Paragraph", "Rendered",
           "Signatures", "Table", "render"]
