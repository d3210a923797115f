"""A small, format-neutral document model: what a document says, once.

A report module builds a :class:`Document` from its blocks and hands it to
:func:`careops.reports.render.render`, which writes DOCX, PDF or XLSX from the same
content, so the three files of one record can never disagree. Every text is already
translated (call ``gettext`` before building); values are plain strings or numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

Value = str | int | float | None


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    text: str
    muted: bool = False


@dataclass(frozen=True)
class KeyValues:
    """Label/value pairs, shown as a two-, four- or six-column grid (``pairs_per_row``)."""

    rows: Sequence[tuple[str, Value]]
    pairs_per_row: int = 2
    # Labels whose value is long text: they take a whole row of the grid.
    wide: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Table:
    """A table with a header row (repeated on every page and frozen in Excel).

    ``widths`` are relative column widths; ``sheet`` names the XLSX sheet the table
    goes to (tables without one follow the key-values on the first sheet)."""

    headers: Sequence[str]
    rows: Sequence[Sequence[Value]]
    widths: Sequence[float] = ()
    sheet: str = ""
    empty: str = ""
    title: str = ""
    # Half the text width (a short summary table).
    compact: bool = False


@dataclass(frozen=True)
class Signatures:
    """The signature block: one box per party, each with its lines to fill in."""

    boxes: Sequence[tuple[str, Sequence[str]]]
    note: str = ""
    seal: str = ""


Block = Heading | Paragraph | KeyValues | Table | Signatures


@dataclass(frozen=True)
class Document:
    title: str
    # Shown at the top right of every page (a ticket number, a contract and month).
    reference: str = ""
    subtitle: str = ""
    blocks: Sequence[Block] = field(default_factory=tuple)
    # "Page %(page)s of %(pages)s" in the document's language, for the footers.
    page_label: str = "%(page)s / %(pages)s"
    footer: str = ""
    landscape: bool = False
    # The file name without its extension.
    filename: str = "document"
    # Title of the XLSX sheet that holds the key-values and untitled tables.
    main_sheet: str = ""
