"""The life cycle of each ticket kind as pure state machines (no Django).

``allowed(kind, status)`` names the statuses a ticket may move to next and
``check(kind, from, to)`` raises :class:`TransitionError` listing them. Pending
statuses (waiting for the hospital, for a third party) return to the status they
were entered from: pass it as ``left``. ``meets(kind, to)`` names the SLA
targets an entry into ``to`` meets (acknowledged → respond …). See
docs/servicedesk.md for the diagrams.
"""

from __future__ import annotations

from collections.abc import Mapping

KINDS: tuple[str, ...] = ("incident", "request", "bug", "change", "problem")
PENDING: tuple[str, ...] = ("waiting_hospital", "waiting_third_party")

# kind -> status -> the statuses it may move to (pending statuses handled apart)
FLOWS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "incident": {
        "new": ("acknowledged",),
        "acknowledged": ("on_site", "restored"),
        "on_site": ("restored",),
        "restored": ("resolved",),
        "resolved": ("confirmed", "acknowledged"),   # confirmation refused: work again
        "confirmed": ("closed",),
        "closed": (),
    },
    "request": {
        "new": ("approved", "waiting_approval"),
        "waiting_approval": ("approved", "rejected"),
        "approved": ("in_progress",),
        "in_progress": ("resolved",),
        "resolved": ("confirmed", "in_progress"),
        "confirmed": ("closed",),
        "rejected": (),
        "closed": (),
    },
    "bug": {
        "new": ("analysing",),
        "analysing": ("fixing",),
        "fixing": ("resolved",),
        "resolved": ("confirmed", "fixing"),
        "confirmed": ("closed",),
        "closed": (),
    },
    "change": {
        "submitted": ("approved", "rejected"),
        "approved": ("scheduled",),
        "scheduled": ("implementing",),
        "implementing": ("implemented", "rolled_back"),
        "implemented": ("verified", "rolled_back"),
        "verified": (),
        "rolled_back": (),
        "rejected": (),
    },
    "problem": {
        "open": ("analysing",),
        "analysing": ("resolved",),
        "resolved": ("closed", "analysing"),
        "closed": (),
    },
}

# kind -> the statuses from which a pending status may be entered
PAUSABLE: Mapping[str, tuple[str, ...]] = {
    "incident": ("acknowledged", "on_site", "restored"),
    "request": ("in_progress",),
    "bug": ("analysing", "fixing"),
    "change": (),
    "problem": ("analysing",),
}

INITIAL: Mapping[str, str] = {"incident": "new", "request": "new", "bug": "new",
                              "change": "submitted", "problem": "open"}

# kind -> status -> the SLA targets that entering it meets
MEETS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "incident": {"acknowledged": ("respond",), "on_site": ("on_site",),
                 "restored": ("restore",), "resolved": ("resolve",)},
    "request": {"in_progress": ("respond",), "resolved": ("resolve",)},
    # a bug moves to fixing once analysed and planned: that is the analysis report
    "bug": {"analysing": ("respond",), "fixing": ("report",), "resolved": ("resolve",)},
    "change": {},
    "problem": {"resolved": ("resolve",)},
}

# Targets that may be declared not needed (no visit was needed: fixed remotely).
WAIVABLE: tuple[str, ...] = ("on_site",)

# Transitions that only the hospital may make (approval), never by the ticket's reporter.
APPROVALS: frozenset[tuple[str, str]] = frozenset({
    ("request", "approved"), ("request", "rejected"),
    ("change", "approved"), ("change", "rejected"),
})


class TransitionError(ValueError):
    """A move the flow does not allow; ``allowed`` lists those it does."""

    def __init__(self, kind: str, source: str, target: str, allowed: tuple[str, ...]) -> None:
        self.kind, self.source, self.target, self.allowed = kind, source, target, allowed
        shown = ", ".join(allowed) or "none: the ticket is finished"
        super().__init__(f"a {kind} cannot go from {source} to {target} (allowed: {shown})")


def _flow(kind: str) -> Mapping[str, tuple[str, ...]]:
    if kind not in FLOWS:
        raise ValueError(f"{kind!r} is not one of {', '.join(KINDS)}")
    return FLOWS[kind]


def statuses(kind: str) -> tuple[str, ...]:
    """Every status of ``kind``, pending ones included when the kind has them."""
    own = tuple(_flow(kind))
    return own + (PENDING if PAUSABLE[kind] else ())


def terminal(kind: str, status: str) -> bool:
    return status not in PENDING and not _flow(kind).get(status, ())


def allowed(kind: str, status: str, left: str | None = None,
            needs_approval: bool = False) -> tuple[str, ...]:
    """The statuses a ``kind`` ticket in ``status`` may move to.

    ``left``: for a pending status, the status it was entered from (it returns
    there). ``needs_approval``: a request over the contract's included effort
    must wait for the hospital's approval before work starts.
    """
    flow = _flow(kind)
    if status in PENDING:
        if not PAUSABLE[kind]:
            raise ValueError(f"{status!r} is not a status of a {kind}")
        back = (left,) if left in PAUSABLE[kind] else PAUSABLE[kind]
        others = tuple(p for p in PENDING if p != status)
        return back + others
    if status not in flow:
        raise ValueError(f"{status!r} is not a status of a {kind}")
    nexts = flow[status]
    if kind == "request" and status == "new" and needs_approval:
        nexts = tuple(n for n in nexts if n != "approved")
    if status in PAUSABLE[kind]:
        nexts = nexts + PENDING
    return nexts


def check(kind: str, source: str, target: str, left: str | None = None,
          needs_approval: bool = False) -> None:
    """Raise :class:`TransitionError` unless ``source`` → ``target`` is allowed."""
    options = allowed(kind, source, left, needs_approval)
    if target not in options:
        raise TransitionError(kind, source, target, options)


def meets(kind: str, target: str) -> tuple[str, ...]:
    """The SLA targets met by entering ``target``."""
    return MEETS[kind].get(target, ()) if kind in MEETS else ()


def refusal(kind: str) -> str | None:
    """Where a ``resolved`` ticket goes back to when its resolution is refused ("not
    fixed": incident → acknowledged, request → in_progress, bug → fixing); None for the
    kinds nobody confirms."""
    nexts = _flow(kind).get("resolved", ())
    if "confirmed" not in nexts:
        return None
    return next((status for status in nexts if status != "confirmed"), None)


def needs_approver(kind: str, target: str) -> bool:
    return (kind, target) in APPROVALS
