"""The handbook (policy) as typed, frozen data: the shape of DESIGN §5.

Shape only; references between sections are resolved in ``policy.resolve``.
Points are integer hundredths; durations are :class:`Duration`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PrivateAttr,
    model_validator,
)

from socialcredit.policy.duration import Duration, parse_duration
from socialcredit.policy.money import format_cents, to_cents

SubjectKind = Literal["person", "organisation"]
SUBJECT_KINDS: tuple[SubjectKind, ...] = ("person", "organisation")
Severity = Literal["minor", "general", "serious"]
Period = Literal["month", "quarter", "year"]


def _cents(value: Any) -> int:
    return to_cents(value)


def _duration(value: Any) -> Duration:
    if isinstance(value, Duration):
        return value
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not an ISO 8601 duration string")
    return parse_duration(value)


def _points(value: Any) -> int | tuple[int, int]:
    if isinstance(value, list | tuple):
        if len(value) != 2:
            raise ValueError("a discretionary range has exactly two numbers: [low, high]")
        low, high = to_cents(value[0]), to_cents(value[1])
        if low >= high:
            raise ValueError(f"range [{value[0]}, {value[1]}] must be [low, high] with low < high")
        return (low, high)
    return to_cents(value)


def _serialize_points(value: int | tuple[int, int]) -> str | list[str]:
    if isinstance(value, tuple):
        return [format_cents(value[0]), format_cents(value[1])]
    return format_cents(value)


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value.strip()


Text = Annotated[str, AfterValidator(_not_blank)]
Cents = Annotated[int, BeforeValidator(_cents), PlainSerializer(format_cents, return_type=str)]
DurationField = Annotated[Duration, BeforeValidator(_duration), PlainSerializer(str, return_type=str)]
RulePoints = Annotated[int | tuple[int, int], BeforeValidator(_points), PlainSerializer(_serialize_points)]


class Shape(BaseModel):
    """Base: frozen, unknown keys refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Header(Shape):
    id: Annotated[str, Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9._-]*$")]
    version: str
    title: str
    effective_from: date
    timezone: str = "Asia/Shanghai"
    subjects: list[SubjectKind] = Field(default_factory=lambda: list(SUBJECT_KINDS), min_length=1)
    scoring_requires_consent: bool = False
    default_counts_for: DurationField = Duration(months=60, days=0)
    while_contested: Literal["counts", "suspended"] = "counts"
    objection_working_days: Annotated[int, Field(ge=1, le=30)] = 3
    description: str | None = None


class Scale(Shape):
    start: Cents
    min: Cents | None = None
    max: Cents | None = None


class Grade(Shape):
    name: Annotated[str, Field(min_length=1)]
    min: Cents | None = None
    title: str | None = None


class Cap(Shape):
    count: Annotated[int, Field(ge=1)] | None = None
    points: Cents | None = None
    per: Period

    @model_validator(mode="after")
    def _one_limit(self) -> Cap:
        if (self.count is None) == (self.points is None):
            raise ValueError("give exactly one of count or points")
        if self.points is not None and self.points <= 0:
            raise ValueError("points must be positive (the cap is on |sum|)")
        return self


class Evidence(Shape):
    photos: Annotated[int, Field(ge=0)] = 0
    or_video: bool = False


class Notice(Shape):
    cure_within: DurationField


class Rule(Shape):
    id: Annotated[str, Field(min_length=1)]
    title: str
    category: str
    severity: Severity
    points: RulePoints
    legal_basis: Text
    counts_for: DurationField | None = None
    cap: Cap | None = None
    evidence: Evidence | None = None
    review: bool = False
    notice: Notice | None = None
    grade_ceiling: str | None = None
    sources: list[str] | None = None
    requires_document: bool = False
    subjects: list[SubjectKind] | None = None
    description: str | None = None

    @property
    def discretionary(self) -> bool:
        return isinstance(self.points, tuple)


class Members(Shape):
    rules: list[str] = Field(default_factory=list)
    grades: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _not_empty(self) -> Members:
        if not self.rules and not self.grades:
            raise ValueError("name at least one rule or grade")
        return self


class ListDef(Shape):
    id: Annotated[str, Field(min_length=1)]
    kind: Literal["black", "red"]
    title: str
    public: bool = False
    members: Members
    legal_basis: str | None = None
    description: str | None = None


class When(Shape):
    lists: list[str] = Field(default_factory=list)
    grades: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _not_empty(self) -> When:
        if not self.lists and not self.grades:
            raise ValueError("name at least one list or grade")
        return self


class Measure(Shape):
    id: Annotated[str, Field(min_length=1)]
    service: Annotated[str, Field(min_length=1)]
    effect: Literal["deny", "benefit"]
    when: When
    legal_basis: Text
    title: str
    description: str | None = None


class Synth(Shape):
    """Expected events per subject per year, keyed by category or rule id (synthetic populations)."""

    rates: dict[str, Annotated[float, Field(ge=0)]] = Field(default_factory=dict)


class Policy(Shape):
    """A whole handbook. Build it with :func:`socialcredit.policy.load_policy`."""

    policy: Header
    scale: Scale
    grades: list[Grade] = Field(min_length=1)
    rules: list[Rule] = Field(default_factory=list)
    lists: list[ListDef] = Field(default_factory=list)
    measures: list[Measure] = Field(default_factory=list)
    synth: Synth = Field(default_factory=Synth)

    _hash: str = PrivateAttr(default="")
    _rules: dict[str, Rule] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        self._rules = {rule.id: rule for rule in self.rules}

    @property
    def id(self) -> str:
        return self.policy.id

    @property
    def version(self) -> str:
        return self.policy.version

    @property
    def hash(self) -> str:
        """SHA-256 of the canonical JSON form (set by the loader)."""
        return self._hash

    @property
    def rules_by_id(self) -> dict[str, Rule]:
        """Every rule by id (read straight from the private store: ``__getattr__`` costs microseconds)."""
        private = self.__pydantic_private__
        rules: dict[str, Rule] = private["_rules"] if private else self._rules
        return rules

    def rule(self, rule_id: str) -> Rule | None:
        return self.rules_by_id.get(rule_id)

    def grade_rank(self, name: str) -> int:
        """0 for the best grade; larger is worse."""
        return [grade.name for grade in self.grades].index(name)

    def ref(self) -> dict[str, str]:
        """The ``{"id", "version", "hash"}`` every standing names."""
        return {"id": self.id, "version": self.version, "hash": self.hash}
