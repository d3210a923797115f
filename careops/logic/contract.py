"""Contract profiles as code: parse and validate a contract YAML document (docs/contracts.md).

Pure Python (no Django). ``parse_contract(text)`` returns a frozen :class:`Contract` or
raises :class:`ContractInvalid` carrying EVERY problem found, each with the dotted path
(``sla.incident.P1.in_hours.respond``) and the 1-based line of the offending node.

``targets_for(contract, kind, level, in_hours)`` is what the SLA engine consumes: the
list of :class:`Target` (name, amount, unit ``minutes``/``working_minutes``/
``working_days``, clock ``wall``/``working``, calendar code) for one ticket.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

# --------------------------------------------------------------------------- vocabulary
KINDS = ("incident", "request", "bug", "change", "problem")
TARGETS = ("respond", "on_site", "restore", "resolve", "report")
HOURS_SPLIT = ("in_hours", "out_of_hours")
SCOPES = ("individual", "department", "hospital")
FAULT_KINDS = ("server", "software", "peripheral")
SEVERITIES = ("patient_safety", "clinical", "operations", "experience")
OUTAGES = ("full", "key_function", "degraded", "none")
PAUSE_STATES = ("waiting_hospital", "waiting_third_party", "waiting_approval", "scheduled")
FREQUENCIES = ("once", "day", "week", "month", "quarter", "half_year", "year", "contract")
OWNERS = ("vendor", "hospital", "both")
OBLIGATION_KINDS = (
    "inspection", "remote_inspection", "onsite_inspection", "inspection_summary",
    "performance_tuning", "backup_check", "restore_drill", "knowledge_base", "security_patching",
    "vulnerability_check", "service_review", "document_submission", "training",
    "emergency_plan", "technical_documents", "fault_summary", "assessment", "survey", "other",
)
PENALTY_TRIGGERS = ("sla_breach", "request_late", "obligation_missed", "assessment_failed",
                    "operation_error", "confidentiality")
REMEDIES = ("fee_reduction", "rectification", "termination", "damages", "free_restore")

# Units: the canonical name, its clock and how many base units one of it is.
# Wall units count minutes, working minutes/hours count working minutes, working days
# stay days (the calendar decides what a working day is); months only for periods.
UNITS: dict[str, tuple[str, str, int]] = {
    "minutes": ("wall", "minutes", 1),
    "hours": ("wall", "minutes", 60),
    "days": ("wall", "minutes", 1440),
    "working_minutes": ("working", "working_minutes", 1),
    "working_hours": ("working", "working_minutes", 60),
    "working_days": ("working", "working_days", 1),
    "months": ("wall", "months", 1),
}
UNIT_ALIASES = {
    "min": "minutes", "mins": "minutes", "minute": "minutes",
    "h": "hours", "hour": "hours", "hr": "hours", "hrs": "hours",
    "d": "days", "day": "days",
    "working minute": "working_minutes", "working minutes": "working_minutes",
    "working_minute": "working_minutes", "wmin": "working_minutes",
    "working hour": "working_hours", "working hours": "working_hours",
    "working_hour": "working_hours", "wh": "working_hours",
    "working day": "working_days", "working days": "working_days",
    "working_day": "working_days", "wd": "working_days",
    "month": "months",
}
DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([A-Za-z_ ]+?)\s*$")
LEVEL_RE = re.compile(r"^P[1-9]$")
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class ContractError:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.line}: {self.path or '(document)'}: {self.message}"


class ContractInvalid(ValueError):
    def __init__(self, errors: Sequence[ContractError]) -> None:
        self.errors = tuple(sorted(errors, key=lambda e: e.line))
        super().__init__("; ".join(str(e) for e in self.errors))


@dataclass(frozen=True)
class Duration:
    amount: float
    unit: str            # a key of UNITS
    calendar: str = ""   # a calendar NAME of the profile; "" = the profile's working calendar

    @property
    def clock(self) -> str:
        return UNITS[self.unit][0]

    def normalised(self) -> tuple[float, str]:
        """(amount, base unit): minutes, working_minutes, working_days or months."""
        _clock, base, factor = UNITS[self.unit]
        return self.amount * factor, base

    def __str__(self) -> str:
        amount = int(self.amount) if self.amount == int(self.amount) else self.amount
        unit = self.unit.replace("_", " ")
        return f"{amount} {unit[:-1] if amount == 1 else unit}"


@dataclass(frozen=True)
class Parties:
    hospital: str
    vendor: str


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class LevelTargets:
    """Targets of one kind × level: ``common`` apply always; ``in_hours`` and
    ``out_of_hours`` apply by when the ticket was reported (both empty = no split)."""

    common: Mapping[str, Duration]
    in_hours: Mapping[str, Duration] = field(default_factory=dict)
    out_of_hours: Mapping[str, Duration] = field(default_factory=dict)

    @property
    def split(self) -> bool:
        return bool(self.in_hours or self.out_of_hours)


@dataclass(frozen=True)
class Condition:
    scope: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()
    severity: tuple[str, ...] = ()
    outage: tuple[str, ...] = ()
    rooms_over: int | None = None
    duration_over: Duration | None = None

    def covers(self, other: Condition) -> bool:
        """True when every situation ``other`` matches is also matched by ``self``."""
        for name in ("scope", "kind", "severity", "outage"):
            mine, theirs = getattr(self, name), getattr(other, name)
            if mine and (not theirs or not set(theirs) <= set(mine)):
                return False
        if self.rooms_over is not None and (other.rooms_over is None
                                            or other.rooms_over < self.rooms_over):
            return False
        if self.duration_over is not None:
            if other.duration_over is None:
                return False
            a, unit_a = self.duration_over.normalised()
            b, unit_b = other.duration_over.normalised()
            if unit_a != unit_b or b < a:
                return False
        return True


@dataclass(frozen=True)
class PriorityRule:
    priority: str
    when: Condition
    note: str = ""


@dataclass(frozen=True)
class Facts:
    """What the service desk knows about an incident, for :func:`classify`."""

    scope: str = "individual"
    kind: str = "software"
    severity: str = "experience"
    outage: str = "none"
    rooms: int = 0
    duration_minutes: float = 0


@dataclass(frozen=True)
class Priorities:
    levels: tuple[str, ...]
    default: str
    rules: tuple[PriorityRule, ...]


@dataclass(frozen=True)
class Tier:
    name: str
    targets: Mapping[str, Duration]
    note: str = ""


@dataclass(frozen=True)
class Requests:
    included_effort_person_days: float | None
    tiers: tuple[Tier, ...]
    max_fix: Duration | None = None


@dataclass(frozen=True)
class Bugs:
    classes: tuple[Tier, ...]
    max_fix: Duration | None = None


@dataclass(frozen=True)
class Obligation:
    code: str
    kind: str
    title: str
    every: str
    times: int
    owner: str
    report: str = ""
    report_due: Duration | None = None
    due_after_start: Duration | None = None
    note: str = ""


@dataclass(frozen=True)
class Penalty:
    on: str
    remedy: str
    note: str = ""


@dataclass(frozen=True)
class Contract:
    code: str
    name: str
    parties: Parties
    period: Period
    systems: tuple[str, ...]
    calendars: Mapping[str, str]          # name -> calendar code; "working" always present
    sla: Mapping[str, Mapping[str, LevelTargets]]
    pauses: Mapping[str, tuple[str, ...]]  # ticket state -> paused targets
    priorities: Priorities | None
    requests: Requests | None
    bugs: Bugs | None
    obligations: tuple[Obligation, ...]
    penalties: tuple[Penalty, ...]

    @property
    def working_calendar(self) -> str:
        return self.calendars["working"]


@dataclass(frozen=True)
class Target:
    """One clock of a ticket, for the SLA engine.

    ``unit`` is ``minutes`` (wall clock), ``working_minutes`` or ``working_days`` (on
    ``calendar``); ``clock`` is ``wall`` or ``working``."""

    name: str
    amount: float
    unit: str
    clock: str
    calendar: str
    paused_by: tuple[str, ...] = ()


# --------------------------------------------------------------------------- reader
_constructor = SafeConstructor()


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class _Reader:
    def __init__(self) -> None:
        self.errors: list[ContractError] = []

    def error(self, node: Node, path: str, message: str) -> None:
        self.errors.append(ContractError(path, _line(node), message))

    # -- structure
    def mapping(self, node: Node, path: str, known: Sequence[str],
                required: Sequence[str] = ()) -> dict[str, tuple[Node, Node]]:
        if not isinstance(node, MappingNode):
            self.error(node, path, "expected a mapping of keys")
            return {}
        found: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, ScalarNode) else "?"
            key_path = _join(path, key)
            if key in found:
                self.error(key_node, key_path,
                           f"“{key}” given twice (first on line {_line(found[key][0])})")
                continue
            if known and key not in known:
                close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.5)
                hint = f"; did you mean “{close[0]}”?" if close else \
                    f"; known keys: {', '.join(known)}"
                self.error(key_node, key_path, f"unknown key “{key}”{hint}")
                continue
            found[key] = (key_node, value_node)
        for key in required:
            if key not in found:
                self.error(node, _join(path, key), f"missing required key “{key}”")
        return found

    def sequence(self, node: Node, path: str) -> list[Node]:
        if isinstance(node, SequenceNode):
            return list(node.value)
        self.error(node, path, "expected a list")
        return []

    def value(self, node: Node) -> Any:
        return _constructor.construct_object(node, deep=True)

    def text(self, node: Node, path: str, pattern: re.Pattern[str] | None = None) -> str:
        if not isinstance(node, ScalarNode) or node.value == "" or \
                node.tag == "tag:yaml.org,2002:null":
            self.error(node, path, "expected a non-empty text")
            return ""
        text = str(node.value).strip()
        if pattern is not None and not pattern.match(text):
            self.error(node, path, f"“{text}” is not a valid code (letters, digits, - _ .)")
        return text

    def choice(self, node: Node, path: str, allowed: Sequence[str]) -> str:
        text = self.text(node, path)
        if text and text not in allowed:
            close = difflib.get_close_matches(text, list(allowed), n=1, cutoff=0.5)
            hint = f"; did you mean “{close[0]}”?" if close else ""
            self.error(node, path, f"unknown value “{text}”; one of {', '.join(allowed)}{hint}")
            return ""
        return text

    def choices(self, node: Node, path: str, allowed: Sequence[str]) -> tuple[str, ...]:
        items = [node] if isinstance(node, ScalarNode) else self.sequence(node, path)
        out = []
        for index, item in enumerate(items):
            value = self.choice(item, f"{path}[{index}]" if len(items) > 1 or
                                isinstance(node, SequenceNode) else path, allowed)
            if value and value in out:
                self.error(item, path, f"“{value}” listed twice")
            elif value:
                out.append(value)
        return tuple(out)

    def date(self, node: Node, path: str) -> dt.date | None:
        value = self.value(node) if isinstance(node, ScalarNode) else None
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        self.error(node, path, "expected a date as YYYY-MM-DD")
        return None

    def number(self, node: Node, path: str, integer: bool = False) -> float | None:
        value = self.value(node) if isinstance(node, ScalarNode) else None
        if isinstance(value, bool) or not isinstance(value, int | float) or \
                (integer and not isinstance(value, int)):
            self.error(node, path, "expected a whole number" if integer else "expected a number")
            return None
        if value < 0:
            self.error(node, path, "must not be negative")
            return None
        return float(value)

    def duration(self, node: Node, path: str, calendars: Mapping[str, str],
                 allow_months: bool = False) -> Duration | None:
        calendar = ""
        if isinstance(node, MappingNode):
            keys = self.mapping(node, path, ("amount", "unit", "calendar"), ("amount", "unit"))
            if "amount" not in keys or "unit" not in keys:
                return None
            amount = self.number(keys["amount"][1], _join(path, "amount"))
            unit_node = keys["unit"][1]
            unit_text = str(unit_node.value) if isinstance(unit_node, ScalarNode) else ""
            if "calendar" in keys:
                calendar = self.text(keys["calendar"][1], _join(path, "calendar"))
                if calendar and calendar not in calendars:
                    self.error(keys["calendar"][1], _join(path, "calendar"),
                               f"unknown calendar name “{calendar}”; declared: "
                               f"{', '.join(calendars)}")
                    calendar = ""
        elif isinstance(node, ScalarNode) and node.value:
            match = DURATION_RE.match(str(node.value))
            if not match:
                self.error(node, path, f"“{node.value}” is not a duration such as 30min, "
                                       "0.5h, 2 working days")
                return None
            amount, unit_text = float(match.group(1)), match.group(2)
            unit_node = node
        else:
            self.error(node, path, "expected a duration such as 30min, 0.5h, 2 working days")
            return None
        unit_key = unit_text.strip().lower()
        unit = UNIT_ALIASES.get(unit_key, unit_key.replace(" ", "_"))
        if unit not in UNITS:
            close = difflib.get_close_matches(unit, list(UNITS), n=1, cutoff=0.7)
            hint = f"; did you mean “{close[0]}”?" if close else ""
            self.error(unit_node, path, f"unknown unit “{unit_text}”; one of "
                                        f"{', '.join(UNITS)}{hint}")
            return None
        if unit == "months" and not allow_months:
            self.error(unit_node, path, "months are only allowed for long periods "
                                        "(max_fix, due_after_start)")
            return None
        if amount is None:
            return None
        if amount == 0:
            self.error(node, path, "a duration must be more than zero")
            return None
        if unit == "working_days" and amount != int(amount):
            # Working days count whole days (the SLA engine and the obligation schedule
            # both need it); half a day is a number of working hours.
            self.error(node, path, f"working days must be a whole number, not {amount:g}; "
                                   "write working hours instead")
            return None
        return Duration(amount, unit, calendar)


# --------------------------------------------------------------------------- sections
TOP_KEYS = ("code", "name", "parties", "period", "systems", "calendars", "sla", "pauses",
            "priorities", "requests", "bugs", "obligations", "penalties", "notes")


def _targets(r: _Reader, node: Node, path: str, cals: Mapping[str, str],
             extra: Sequence[str] = ()) -> tuple[dict[str, Duration], dict[str, tuple[Node, Node]]]:
    keys = r.mapping(node, path, (*TARGETS, *extra))
    out: dict[str, Duration] = {}
    for name, (_k, value) in keys.items():
        if name in TARGETS:
            duration = r.duration(value, _join(path, name), cals)
            if duration is not None:
                out[name] = duration
    return out, keys


def _level(r: _Reader, node: Node, path: str, cals: Mapping[str, str]) -> LevelTargets:
    common, keys = _targets(r, node, path, cals, HOURS_SPLIT)
    split: dict[str, dict[str, Duration]] = {}
    for half in HOURS_SPLIT:
        if half not in keys:
            continue
        half_targets, half_keys = _targets(r, keys[half][1], _join(path, half), cals)
        for name in half_targets:
            if name in common:
                r.error(half_keys[name][0], _join(_join(path, half), name),
                        f"“{name}” is already given for both halves on line "
                        f"{_line(keys[name][0])}; give it once")
        split[half] = half_targets
    if (("in_hours" in keys) != ("out_of_hours" in keys)):
        given = "in_hours" if "in_hours" in keys else "out_of_hours"
        r.error(keys[given][0], _join(path, given),
                "give both in_hours and out_of_hours, or neither")
    if isinstance(node, MappingNode) and not node.value:
        r.error(node, path, "no targets given")
    return LevelTargets(common, split.get("in_hours", {}), split.get("out_of_hours", {}))


def _sla(r: _Reader, node: Node, cals: Mapping[str, str],
         levels: Sequence[str]) -> dict[str, dict[str, LevelTargets]]:
    out: dict[str, dict[str, LevelTargets]] = {}
    for kind, (_k, kind_node) in r.mapping(node, "sla", KINDS).items():
        out[kind] = {}
        if not isinstance(kind_node, MappingNode):
            r.error(kind_node, _join("sla", kind), "expected priorities P1, P2 … as keys")
            continue
        for level_key, level_node in kind_node.value:
            level = str(level_key.value)
            path = f"sla.{kind}.{level}"
            if level in out[kind]:
                r.error(level_key, path, f"“{level}” given twice")
                continue
            if not LEVEL_RE.match(level):
                r.error(level_key, path, f"unknown priority “{level}”; use P1, P2, P3 …")
                continue
            if levels and level not in levels:
                r.error(level_key, path, f"priority “{level}” is not among priorities.levels "
                                         f"({', '.join(levels)})")
                continue
            out[kind][level] = _level(r, level_node, path, cals)
    return out


def _condition(r: _Reader, node: Node, path: str, cals: Mapping[str, str]) -> Condition:
    keys = r.mapping(node, path, ("scope", "kind", "severity", "outage", "rooms_over",
                                  "duration_over"))
    values: dict[str, Any] = {}
    for name, allowed in (("scope", SCOPES), ("kind", FAULT_KINDS),
                          ("severity", SEVERITIES), ("outage", OUTAGES)):
        if name in keys:
            values[name] = r.choices(keys[name][1], _join(path, name), allowed)
    if "rooms_over" in keys:
        rooms = r.number(keys["rooms_over"][1], _join(path, "rooms_over"), integer=True)
        values["rooms_over"] = None if rooms is None else int(rooms)
    if "duration_over" in keys:
        duration = r.duration(keys["duration_over"][1], _join(path, "duration_over"), cals)
        if duration is not None and duration.clock != "wall":
            r.error(keys["duration_over"][1], _join(path, "duration_over"),
                    "an outage lasts wall-clock time: use minutes, hours or days")
            duration = None
        values["duration_over"] = duration
    return Condition(**values)


def _priorities(r: _Reader, node: Node, cals: Mapping[str, str]) -> Priorities | None:
    keys = r.mapping(node, "priorities", ("levels", "default", "rules"), ("levels", "default"))
    if "levels" not in keys:
        return None
    levels: list[str] = []
    for index, item in enumerate(r.sequence(keys["levels"][1], "priorities.levels")):
        level = r.text(item, f"priorities.levels[{index}]")
        if level and not LEVEL_RE.match(level):
            r.error(item, f"priorities.levels[{index}]", f"“{level}” is not P1, P2, P3 …")
        elif level in levels:
            r.error(item, f"priorities.levels[{index}]", f"“{level}” listed twice")
        elif level:
            levels.append(level)
    default = r.choice(keys["default"][1], "priorities.default", levels) \
        if "default" in keys else ""
    rules: list[PriorityRule] = []
    rule_nodes = r.sequence(keys["rules"][1], "priorities.rules") if "rules" in keys else []
    for index, item in enumerate(rule_nodes):
        path = f"priorities.rules[{index}]"
        rule_keys = r.mapping(item, path, ("priority", "when", "note"), ("priority", "when"))
        if "priority" not in rule_keys or "when" not in rule_keys:
            continue
        level = r.choice(rule_keys["priority"][1], _join(path, "priority"), levels)
        cond = _condition(r, rule_keys["when"][1], _join(path, "when"), cals)
        note = r.text(rule_keys["note"][1], _join(path, "note")) if "note" in rule_keys else ""
        for earlier_index, earlier in enumerate(rules):
            if earlier.when.covers(cond):
                r.error(item, path, f"can never be reached: rule {earlier_index} "
                                    f"({earlier.priority}) already matches every case it does")
                break
        if level:
            rules.append(PriorityRule(level, cond, note))
    return Priorities(tuple(levels), default, tuple(rules))


def _tiers(r: _Reader, node: Node, path: str, cals: Mapping[str, str]) -> tuple[Tier, ...]:
    tiers: list[Tier] = []
    for name, (_k, tier_node) in r.mapping(node, path, ()).items():
        tier_path = _join(path, name)
        targets, keys = _targets(r, tier_node, tier_path, cals, ("note",))
        note = r.text(keys["note"][1], _join(tier_path, "note")) if "note" in keys else ""
        if isinstance(tier_node, MappingNode) and not tier_node.value:
            r.error(tier_node, tier_path, "no targets given (a tier without deadlines "
                                          "needs a note saying why)")
        tiers.append(Tier(name, targets, note))
    return tuple(tiers)


def _requests(r: _Reader, node: Node, cals: Mapping[str, str]) -> Requests:
    keys = r.mapping(node, "requests", ("included_effort", "tiers", "max_fix"), ("tiers",))
    effort = None
    if "included_effort" in keys:
        effort_node = keys["included_effort"][1]
        text = str(effort_node.value) if isinstance(effort_node, ScalarNode) else ""
        match = re.match(r"^\s*(\d+(?:\.\d+)?)\s*person[ _-]days?\s*$", text)
        if match:
            effort = float(match.group(1))
        else:
            r.error(effort_node, "requests.included_effort", "expected e.g. “5 person_days”")
    max_fix = r.duration(keys["max_fix"][1], "requests.max_fix", cals, allow_months=True) \
        if "max_fix" in keys else None
    tiers = _tiers(r, keys["tiers"][1], "requests.tiers", cals) if "tiers" in keys else ()
    return Requests(effort, tiers, max_fix)


def _bugs(r: _Reader, node: Node, cals: Mapping[str, str]) -> Bugs:
    keys = r.mapping(node, "bugs", ("classes", "max_fix"), ("classes",))
    max_fix = r.duration(keys["max_fix"][1], "bugs.max_fix", cals, allow_months=True) \
        if "max_fix" in keys else None
    classes = _tiers(r, keys["classes"][1], "bugs.classes", cals) if "classes" in keys else ()
    return Bugs(classes, max_fix)


OBLIGATION_KEYS = ("code", "kind", "title", "every", "times", "owner", "report", "report_due",
                   "due_after_start", "note")


def _obligations(r: _Reader, node: Node, cals: Mapping[str, str]) -> tuple[Obligation, ...]:
    out: list[Obligation] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(r.sequence(node, "obligations")):
        path = f"obligations[{index}]"
        keys = r.mapping(item, path, OBLIGATION_KEYS, ("code", "kind", "title", "every", "owner"))
        if not {"code", "kind", "title", "every", "owner"} <= keys.keys():
            continue
        code = r.text(keys["code"][1], _join(path, "code"), CODE_RE)
        if code in seen:
            r.error(keys["code"][1], _join(path, "code"),
                    f"code “{code}” already used by obligations[{seen[code]}]")
        seen[code] = index
        every = r.choice(keys["every"][1], _join(path, "every"), FREQUENCIES)
        times = r.number(keys["times"][1], _join(path, "times"), integer=True) \
            if "times" in keys else 1
        if times == 0:
            r.error(keys["times"][1], _join(path, "times"), "must be at least 1")
        texts = {name: r.text(keys[name][1], _join(path, name))
                 for name in ("title", "report", "note") if name in keys}
        due = {name: r.duration(keys[name][1], _join(path, name), cals, allow_months=True)
               for name in ("report_due", "due_after_start") if name in keys}
        if "report_due" in keys and "report" not in keys:
            r.error(keys["report_due"][0], _join(path, "report_due"),
                    "report_due needs the name of the report (key “report”)")
        if every == "once" and "due_after_start" not in keys:
            r.error(keys["every"][1], _join(path, "every"),
                    "a one-off obligation needs due_after_start")
        if every not in ("once", "") and "due_after_start" in keys:
            r.error(keys["due_after_start"][0], _join(path, "due_after_start"),
                    "due_after_start is only for one-off obligations (every: once)")
        out.append(Obligation(
            code=code, kind=r.choice(keys["kind"][1], _join(path, "kind"), OBLIGATION_KINDS),
            title=texts.get("title", ""), every=every, times=int(times or 1),
            owner=r.choice(keys["owner"][1], _join(path, "owner"), OWNERS),
            report=texts.get("report", ""), report_due=due.get("report_due"),
            due_after_start=due.get("due_after_start"), note=texts.get("note", "")))
    return tuple(out)


def _penalties(r: _Reader, node: Node) -> tuple[Penalty, ...]:
    out: list[Penalty] = []
    for index, item in enumerate(r.sequence(node, "penalties")):
        path = f"penalties[{index}]"
        keys = r.mapping(item, path, ("on", "remedy", "note"), ("on", "remedy"))
        if "on" in keys and "remedy" in keys:
            out.append(Penalty(
                r.choice(keys["on"][1], _join(path, "on"), PENALTY_TRIGGERS),
                r.choice(keys["remedy"][1], _join(path, "remedy"), REMEDIES),
                r.text(keys["note"][1], _join(path, "note")) if "note" in keys else ""))
    return tuple(out)


def _calendars(r: _Reader, node: Node | None) -> dict[str, str]:
    calendars: dict[str, str] = {}
    if node is not None:
        for name, (_k, value) in r.mapping(node, "calendars", ()).items():
            code = r.text(value, _join("calendars", name), CODE_RE)
            if code:
                calendars[name] = code
    calendars.setdefault("working", "cn-workday")
    return calendars


def _pauses(r: _Reader, node: Node) -> dict[str, tuple[str, ...]]:
    return {state: r.choices(value, _join("pauses", state), TARGETS)
            for state, (_k, value) in r.mapping(node, "pauses", PAUSE_STATES).items()}


def parse_contract(text: str) -> Contract:
    """The validated contract, or :class:`ContractInvalid` with every error found."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = int(mark.line) + 1 if mark is not None else 1
        raise ContractInvalid([ContractError("", line, f"not valid YAML: {exc.problem}")]) \
            from None
    if root is None:
        raise ContractInvalid([ContractError("", 1, "the document is empty")])
    r = _Reader()
    keys = r.mapping(root, "", TOP_KEYS, ("code", "name", "parties", "period"))

    def section(name: str, parse: Callable[[Node], Any], default: Any = None) -> Any:
        return parse(keys[name][1]) if name in keys else default

    cals = _calendars(r, keys["calendars"][1] if "calendars" in keys else None)
    code = section("code", lambda n: r.text(n, "code", CODE_RE), "")
    name = section("name", lambda n: r.text(n, "name"), "")
    parties = Parties("", "")
    if "parties" in keys:
        pk = r.mapping(keys["parties"][1], "parties", ("hospital", "vendor"),
                       ("hospital", "vendor"))
        parties = Parties(
            r.text(pk["hospital"][1], "parties.hospital") if "hospital" in pk else "",
            r.text(pk["vendor"][1], "parties.vendor", CODE_RE) if "vendor" in pk else "")
    period = Period(dt.date.min, dt.date.max)
    if "period" in keys:
        pk = r.mapping(keys["period"][1], "period", ("start", "end"), ("start", "end"))
        start = r.date(pk["start"][1], "period.start") if "start" in pk else None
        end = r.date(pk["end"][1], "period.end") if "end" in pk else None
        if start and end and end < start:
            r.error(pk["end"][1], "period.end", "the service period ends before it starts")
        period = Period(start or dt.date.min, end or dt.date.max)
    systems: list[str] = []
    for index, item in enumerate(section("systems", lambda n: r.sequence(n, "systems"), [])):
        system = r.text(item, f"systems[{index}]", CODE_RE)
        if system in systems:
            r.error(item, f"systems[{index}]", f"system “{system}” listed twice")
        elif system:
            systems.append(system)
    priorities = section("priorities", lambda n: _priorities(r, n, cals))
    levels = priorities.levels if priorities else ()
    sla = section("sla", lambda n: _sla(r, n, cals, levels), {})
    pauses = section("pauses", lambda n: _pauses(r, n), {})
    contract = Contract(
        code=code, name=name, parties=parties, period=period, systems=tuple(systems),
        calendars=cals, sla=sla, pauses=pauses, priorities=priorities,
        requests=section("requests", lambda n: _requests(r, n, cals)),
        bugs=section("bugs", lambda n: _bugs(r, n, cals)),
        obligations=section("obligations", lambda n: _obligations(r, n, cals), ()),
        penalties=section("penalties", lambda n: _penalties(r, n), ()))
    if r.errors:
        raise ContractInvalid(r.errors)
    return contract


# --------------------------------------------------------------------------- queries
def levels_of(contract: Contract, kind: str) -> tuple[str, ...]:
    """The levels a ticket of ``kind`` can have: priorities, bug classes or request tiers."""
    names = set(contract.sla.get(kind, {}))
    if kind == "bug" and contract.bugs:
        names |= {tier.name for tier in contract.bugs.classes}
    if kind == "request" and contract.requests:
        names |= {tier.name for tier in contract.requests.tiers}
    return tuple(sorted(names))


def by_urgency(contract: Contract, kind: str) -> tuple[str, ...]:
    """The levels of ``kind`` (as :func:`levels_of`), most urgent first: bug classes and
    request tiers in the order the contract lists them, priorities P1, P2 … in the order
    of ``priorities.levels`` and otherwise by their number."""
    named: tuple[str, ...] = ()
    if kind == "bug" and contract.bugs:
        named = tuple(tier.name for tier in contract.bugs.classes)
    if kind == "request" and contract.requests:
        named = tuple(tier.name for tier in contract.requests.tiers)
    declared = contract.priorities.levels if contract.priorities else ()

    def rank(level: str) -> tuple[int, int]:
        return (declared.index(level) if level in declared else len(declared),
                int(level[1:]) if LEVEL_RE.match(level) else 0)

    numbered = sorted(set(contract.sla.get(kind, {})) - set(named), key=rank)
    return (*named, *numbered)


def lowers(contract: Contract, kind: str, old: str, new: str) -> bool:
    """Whether going from level ``old`` to ``new`` makes a ticket less urgent. A ticket
    without a level (or with one the contract does not know) is not lowered."""
    order = by_urgency(contract, kind)
    return old in order and new in order and order.index(new) > order.index(old)


def targets_for(contract: Contract, kind: str, level: str,
                reported_in_hours: bool = True) -> list[Target]:
    """The SLA targets of a ticket of ``kind`` at ``level`` (P1/P2… or a bug class or a
    request tier), reported inside or outside working hours. Empty when the contract
    sets none. Order: respond, on_site, restore, resolve, report."""
    found: dict[str, Duration] = {}
    levels = contract.sla.get(kind, {})
    if level in levels:
        targets = levels[level]
        found.update(targets.common)
        found.update(targets.in_hours if reported_in_hours else targets.out_of_hours)
    tiers: tuple[Tier, ...] = ()
    if kind == "bug" and contract.bugs:
        tiers = contract.bugs.classes
    elif kind == "request" and contract.requests:
        tiers = contract.requests.tiers
    for tier in tiers:
        if tier.name == level:
            for name, duration in tier.targets.items():
                found.setdefault(name, duration)
    paused: dict[str, list[str]] = {}
    for state, names in contract.pauses.items():
        for name in names:
            paused.setdefault(name, []).append(state)
    out = []
    for name in TARGETS:
        if name in found:
            duration = found[name]
            amount, unit = duration.normalised()
            calendar = contract.calendars[duration.calendar] if duration.calendar \
                else contract.working_calendar
            out.append(Target(name, amount, unit, duration.clock, calendar,
                              tuple(paused.get(name, ()))))
    return out


def classify(contract: Contract, facts: Facts) -> str:
    """The first priority rule that matches ``facts``, else the default priority."""
    if contract.priorities is None:
        return ""
    for rule in contract.priorities.rules:
        if matches(rule.when, facts):
            return rule.priority
    return contract.priorities.default


def matches(cond: Condition, facts: Facts) -> bool:
    """Whether every condition of ``cond`` holds for ``facts``."""
    if cond.scope and facts.scope not in cond.scope:
        return False
    if cond.kind and facts.kind not in cond.kind:
        return False
    if cond.severity and facts.severity not in cond.severity:
        return False
    if cond.outage and facts.outage not in cond.outage:
        return False
    if cond.rooms_over is not None and facts.rooms <= cond.rooms_over:
        return False
    if cond.duration_over is not None:
        amount, _unit = cond.duration_over.normalised()
        if facts.duration_minutes <= amount:
            return False
    return True


def summary(contract: Contract) -> dict[str, Any]:
    """A JSON-ready digest for storage and display: the SLA matrix and the obligations."""
    matrix: dict[str, Any] = {}
    for kind in KINDS:
        rows = {}
        for level in levels_of(contract, kind):
            halves = {"in_hours": True, "out_of_hours": False}
            split = level in contract.sla.get(kind, {}) and contract.sla[kind][level].split
            if split:
                rows[level] = {half: _described(targets_for(contract, kind, level, flag))
                               for half, flag in halves.items()}
            else:
                rows[level] = {"any": _described(targets_for(contract, kind, level))}
        if rows:
            matrix[kind] = rows
    return {
        "code": contract.code, "name": contract.name,
        "hospital": contract.parties.hospital, "vendor": contract.parties.vendor,
        "period": [contract.period.start.isoformat(), contract.period.end.isoformat()],
        "systems": list(contract.systems), "calendars": dict(contract.calendars),
        "sla": matrix,
        "pauses": {state: list(names) for state, names in contract.pauses.items()},
        "priority_rules": [
            {"priority": rule.priority, "note": rule.note}
            for rule in (contract.priorities.rules if contract.priorities else ())],
        "included_effort_person_days":
            contract.requests.included_effort_person_days if contract.requests else None,
        "obligations": [
            {"code": o.code, "kind": o.kind, "title": o.title, "every": o.every,
             "times": o.times, "owner": o.owner, "report": o.report,
             "report_due": str(o.report_due) if o.report_due else "",
             "due_after_start": str(o.due_after_start) if o.due_after_start else ""}
            for o in contract.obligations],
        "penalties": [{"on": p.on, "remedy": p.remedy, "note": p.note}
                      for p in contract.penalties],
    }


def _described(targets: Sequence[Target]) -> dict[str, str]:
    out = {}
    for target in targets:
        amount = int(target.amount) if target.amount == int(target.amount) else target.amount
        out[target.name] = f"{amount} {target.unit.replace('_', ' ')}"
    return out


_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def locate(text: str, path: str) -> int:
    """The line of ``path`` (``systems[2]``, ``parties.vendor``) in a contract document,
    the nearest enclosing node's line when part of it is missing, 1 when unreadable."""
    try:
        node: Node | None = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return 1
    if node is None:
        return 1
    line = _line(node)
    for key, index in _PATH_PART.findall(path):
        child: Node | None = None
        if key and isinstance(node, MappingNode):
            child = next((v for k, v in node.value if str(k.value) == key), None)
        elif index and isinstance(node, SequenceNode) and int(index) < len(node.value):
            child = node.value[int(index)]
        if child is None:
            break
        node, line = child, _line(child)
    return line
