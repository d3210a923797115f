"""PDF from a Django template through WeasyPrint (HTML + print CSS → PDF).

The print CSS is itself a template (``reports/print.css``): A4, the CJK fonts from
Debian's fonts-noto-cjk (Noto Serif CJK SC for text, Noto Sans CJK SC for headings,
labels and table headers — the 宋体/黑体 pairing of the DOCX), the title and
reference at the top of every page and "page X of Y" from the ``page``/``pages``
counters at the bottom. WeasyPrint embeds only the glyphs used (font subsetting via
libharfbuzz-subset0), so a Chinese record stays small.

Nothing is fetched while rendering: the URL fetcher refuses every URL, so no text a
user typed can make the server request anything.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from careops.reports.render.model import (
    Document,
    Heading,
    KeyValues,
    Paragraph,
    Signatures,
    Table,
    Value,
)

# WeasyPrint logs every rendering step at INFO: keep the server's log for what matters.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


class FetchRefused(Exception):
    pass


def _refuse(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise FetchRefused(f"documents load nothing from outside ({url[:60]})")


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string (quotes, backslashes and new lines escaped)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = re.sub(r"[\r\n\f]+", " ", escaped)
    return f'"{escaped}"'


def page_content(label: str) -> str:
    """A ``content:`` value for "page X of Y" from a label with ``%(page)s`` and
    ``%(pages)s`` (in the order the language puts them)."""
    parts = []
    for part in re.split(r"(%\(page\)s|%\(pages\)s)", label):
        if part == "%(page)s":
            parts.append("counter(page)")
        elif part == "%(pages)s":
            parts.append("counter(pages)")
        elif part:
            parts.append(css_string(part))
    return " ".join(parts) or "counter(page)"


def render_pdf(template: str, context: Mapping[str, Any], *, title: str = "",
               reference: str = "", page_label: str = "%(page)s / %(pages)s",
               footer: str = "", landscape: bool = False,
               css_template: str = "reports/print.css") -> bytes:
    """Render ``template`` with ``context`` to PDF bytes, with the print CSS."""
    from weasyprint import CSS, HTML

    css = render_to_string(css_template, {
        "landscape": landscape,
        "title": mark_safe(css_string(title)),  # noqa: S308 - escaped for CSS above
        "reference": mark_safe(css_string(reference)),  # noqa: S308
        "footer": mark_safe(css_string(footer)),  # noqa: S308
        "pages": mark_safe(page_content(page_label)),  # noqa: S308
    })
    html = render_to_string(template, dict(context))
    pdf: bytes = HTML(string=html, url_fetcher=_refuse).write_pdf(
        stylesheets=[CSS(string=css, url_fetcher=_refuse)], presentational_hints=True)
    return pdf


def _grid(block: KeyValues) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    pending: list[tuple[str, Value]] = []

    def flush() -> None:
        if pending:
            pairs = pending + [("", "")] * (block.pairs_per_row - len(pending))
            rows.append({"pairs": pairs})
            pending.clear()

    for label, value in block.rows:
        if label in block.wide:
            flush()
            rows.append({"wide": (label, value), "span": block.pairs_per_row * 2 - 1})
        else:
            pending.append((label, value))
            if len(pending) == block.pairs_per_row:
                flush()
    flush()
    return rows


def _blocks(document: Document) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for block in document.blocks:
        if isinstance(block, Heading):
            out.append({"kind": "heading", "block": block})
        elif isinstance(block, Paragraph):
            out.append({"kind": "paragraph", "block": block})
        elif isinstance(block, KeyValues):
            share = 100 / (block.pairs_per_row * 3)
            cols = [f"{share:.2f}", f"{2 * share:.2f}"] * block.pairs_per_row
            out.append({"kind": "key_values", "block": block, "grid": _grid(block),
                        "columns": block.pairs_per_row, "cols": cols})
        elif isinstance(block, Table):
            total = sum(block.widths) or 1
            widths = [round(100 * w / total, 2) for w in block.widths]
            out.append({"kind": "table", "block": block, "widths": widths})
        elif isinstance(block, Signatures):
            each = f"{100 / max(len(block.boxes), 1):.2f}"
            out.append({"kind": "signatures", "block": block,
                        "cols": [each] * len(block.boxes)})
    return out


def document_to_pdf(document: Document) -> bytes:
    return render_pdf("reports/document.html",
                      {"document": document, "blocks": _blocks(document)},
                      title=document.title, reference=document.reference,
                      page_label=document.page_label, footer=document.footer,
                      landscape=document.landscape)
