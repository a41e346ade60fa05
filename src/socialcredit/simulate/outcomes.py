"""The population a simulation runs over, and its outcomes under one handbook.

Outcomes come from the columnar engine (``scoring.columnar.score_frame``), exactly what
``socialcredit score`` computes: one row per subject, sorted by subject, with ``subject``, ``points_cents``
(null without consent), ``points``, ``grade``, ``lists`` (list ids), ``denied`` (services denied) and
``next_change_on``. The few subjects a report explains are evaluated again by the per-subject engine.

Records are read and checked under each handbook, as two ``score`` runs would. Reading is most of the
cost, so when the candidate cannot reject or read differently any record the baseline accepted
(:func:`reads_alike`), the baseline's frame serves both.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from socialcredit.errors import RecordError
from socialcredit.policy.model import Policy, Rule
from socialcredit.records.schema import Record
from socialcredit.scoring.engine import evaluate
from socialcredit.scoring.standing import Standing

if TYPE_CHECKING:
    import polars as pl


class Scoring(Protocol):
    """What a simulation needs of a population: outcomes under a handbook, and a few explained standings."""

    consents: frozenset[str]

    def prepare(self, policy: Policy, label: str) -> None: ...

    def outcomes(self, policy: Policy, as_of: date, known_at: datetime | None, label: str = ...) -> pl.DataFrame: ...

    def standings(
        self, policy: Policy, as_of: date, known_at: datetime | None, subjects: Iterable[str]
    ) -> list[Standing]: ...


class Population:
    """Records read and checked under each handbook, held in memory, scored under any number of handbooks.

    Build it from a record file or directory (``Population.from_path``) or from records the platform has
    already validated (``Population.from_records``). ``consents`` holds the subjects who consented to scoring.
    A handbook that reads the records alike (:func:`reads_alike`) as one already read shares its frame.
    """

    def __init__(
        self, *, path: Path | None = None, records: list[Record] | None = None, consents: frozenset[str] = frozenset()
    ) -> None:
        self.path = path
        self.consents = consents
        self._given = records
        self._frames: dict[str, tuple[Policy, pl.DataFrame]] = {}
        self._records_frame: pl.DataFrame | None = None

    @classmethod
    def from_path(cls, path: Path, *, consents: frozenset[str] = frozenset()) -> Population:
        return cls(path=path, consents=consents)

    @classmethod
    def from_records(cls, records: list[Record], *, consents: frozenset[str] = frozenset()) -> Population:
        return cls(records=records, consents=consents)

    def prepare(self, policy: Policy, label: str) -> None:
        """Read and check the records under ``policy`` now; a RecordError names the handbook (``label``)."""
        self.frame(policy, label)

    def frame(self, policy: Policy, label: str = "given") -> pl.DataFrame:
        """The record frame (``scoring.frames.RECORD_SCHEMA``) as read and checked under ``policy``."""
        if self._given is not None:
            return self._given_frame()
        if policy.hash not in self._frames:
            alike = [frame for other, frame in self._frames.values() if reads_alike(frame, other, policy)]
            self._frames[policy.hash] = (policy, alike[0] if alike else self._read(policy, label))
        return self._frames[policy.hash][1]

    def outcomes(self, policy: Policy, as_of: date, known_at: datetime | None, label: str = "given") -> pl.DataFrame:
        """One row per subject under ``policy`` on ``as_of``, from the columnar engine."""
        from socialcredit.scoring.columnar import score_frame

        frame = self.frame(policy, label)
        try:
            return score_frame(frame, policy, as_of, known_at, consent=self.consents)
        except RecordError as error:  # given records naming a rule the handbook lacks
            raise labelled(error, policy, label) from None

    def standings(
        self, policy: Policy, as_of: date, known_at: datetime | None, subjects: Iterable[str]
    ) -> list[Standing]:
        """Per-subject standings, with explanations, of a few ``subjects`` (sorted)."""
        chosen = sorted(set(subjects))
        groups = histories(self.frame(policy), chosen)
        return [
            evaluate(groups.get(s, []), policy, as_of, known_at, consent=s in self.consents, subject=s) for s in chosen
        ]

    def _read(self, policy: Policy, label: str) -> pl.DataFrame:
        from socialcredit.scoring.columnar import records_frame

        try:
            return records_frame(str(self.path), policy)
        except RecordError as error:
            raise labelled(error, policy, label) from None

    def _given_frame(self) -> pl.DataFrame:
        if self._records_frame is None:
            from socialcredit.scoring.frames import from_records

            self._records_frame = from_records(self._given or [])
        return self._records_frame


def labelled(error: RecordError, policy: Policy, label: str) -> RecordError:
    """The error of reading records under a handbook, introduced by which handbook it was (``label``)."""
    intro = f"the records do not fit the {label} handbook ({policy.id} {policy.version}):"
    return RecordError(f"{intro} {error.message}", details=[intro, *(error.details or [])])


def reads_alike(frame: pl.DataFrame, baseline: Policy, candidate: Policy) -> bool:
    """True when every record of ``frame`` (read and accepted under ``baseline``) would be read the same and
    accepted under ``candidate``: same time zone, no subject kind, source or document requirement newly
    refused, and every record's points still valid for its rule."""
    import polars as pl

    if candidate.policy.timezone != baseline.policy.timezone:
        return False
    if not set(baseline.policy.subjects) <= set(candidate.policy.subjects):
        return False
    scored = frame.filter(pl.col("kind").fill_null("fact").is_in(["fact", "correct"]))
    used = scored.get_column("rule").unique().to_list()
    for rule_id in used:
        old, new = baseline.rule(rule_id), candidate.rule(rule_id)
        if old is None or new is None or not _accepts_alike(old, new):
            return False
    changed = [rule_id for rule_id in used if baseline.rule(rule_id).points != candidate.rule(rule_id).points]  # type: ignore[union-attr]
    return all(_points_fit(scored.filter(pl.col("rule") == rule_id), candidate, rule_id) for rule_id in changed)


def _accepts_alike(old: Rule, new: Rule) -> bool:
    """Whether ``new`` accepts every record ``old`` accepts, apart from the points themselves."""
    return (
        _within(old.sources, new.sources)
        and _within(old.subjects, new.subjects)
        and (old.requires_document or not new.requires_document)
        and isinstance(old.points, tuple) == isinstance(new.points, tuple)
    )


def _within(old: Collection[str] | None, new: Collection[str] | None) -> bool:
    """An allow-list (None: anything) that allows at least what ``old`` allowed."""
    return new is None or (old is not None and set(old) <= set(new))


def _points_fit(records: pl.DataFrame, candidate: Policy, rule_id: str) -> bool:
    """Records of a rule whose points changed: given points must still be valid under the candidate."""
    points = candidate.rule(rule_id).points  # type: ignore[union-attr]
    given = records.get_column("points").drop_nulls()
    if isinstance(points, tuple):
        return (
            bool(given.is_between(points[0], points[1]).all())
            and records.select(pl.col("points").is_not_null().all()).item()
        )
    return given.is_empty()


def histories(frame: pl.DataFrame, subjects: list[str]) -> dict[str, list[Record]]:
    """The records of ``subjects`` from a record frame: their facts and every action on those facts."""
    import polars as pl

    kind = pl.col("kind").fill_null("fact")
    facts = frame.filter(pl.col("subject").is_in(subjects) & (kind == "fact"))
    owners = facts.select("source", pl.col("id").alias("ref"), pl.col("subject").alias("owner"))
    actions = frame.filter(kind != "fact").join(owners, on=["source", "ref"], how="inner")
    actions = actions.with_columns(subject=pl.col("owner")).drop("owner")
    groups: dict[str, list[Record]] = {}
    for row in pl.concat([facts, actions], how="diagonal").iter_rows(named=True):
        record = Record(
            source=row["source"], id=row["id"], subject=row["subject"], occurred_on=row["occurred_on"],
            recorded_at=row["recorded_at"], kind=row["kind"] or "fact", ref=row["ref"], rule=row["rule"],
            points=row["points"], status=row["status"] or "confirmed",
        )  # fmt: skip
        groups.setdefault(record.subject, []).append(record)
    return groups
