"""Generate a synthetic population chunk by chunk and stream it to Parquet with bounded memory.

``DIR/subjects.parquet`` (one row group per chunk), ``DIR/records/part-NNNNN.parquet`` (one file per
chunk) and ``DIR/synth.json`` (what was asked and what came out). Chunk ``k`` draws from its own seed,
derived from the run's seed and ``k``, so a seed always gives the same content.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from socialcredit.records.schema import KINDS, STATUSES
from socialcredit.synth.followups import make_followups
from socialcredit.synth.frame import record_frame
from socialcredit.synth.orgs import SERIALS, make_orgs
from socialcredit.synth.people import IdentityBook, faker_names, make_people
from socialcredit.synth.rates import rule_rates, yearly_events
from socialcredit.synth.records import DAY_US, KIND, Block, RulePlan, Window, make_facts, plan_rules
from socialcredit.synth.regions import Places
from socialcredit.synth.spec import SynthSpec, check_out, check_spec

MAX_CHUNK_SUBJECTS = 500_000
FOLLOW_UP_ALLOWANCE = 1.05  # corrections, withdrawals, cures and repairs, less what is recorded after the end
LATE_AFTER_DAYS = 7
SUBJECT_SCHEMA = pa.schema(
    [
        ("subject", pa.string()),
        ("kind", pa.string()),
        ("name", pa.string()),
        ("region", pa.string()),
        ("village", pa.string()),
        ("birth_date", pa.date32()),
        ("sex", pa.string()),
    ]
)
Progress = Callable[[int, int], None]  # (records in the part just generated, number of parts)


@dataclass
class Summary:
    """What a run wrote (also saved as ``synth.json``)."""

    spec: dict[str, Any]  # the request: policy, people, orgs, months, seed, region, divisions, start, end
    records: int = 0
    parts: int = 0
    kinds: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    statuses: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    late: int = 0

    def add(self, block: Block, window: Window) -> None:
        col = block.columns
        self.records += len(block)
        self.parts += 1
        for name, count in zip(KINDS, np.bincount(col["kind"], minlength=len(KINDS)).tolist(), strict=True):
            self.kinds[name] += count
        for name, count in zip(STATUSES, np.bincount(col["status"], minlength=len(STATUSES)).tolist(), strict=True):
            self.statuses[name] += count
        facts = col["kind"] == KIND["fact"]
        delay = (col["recorded"][facts] - window.start_us) // DAY_US - col["day"][facts]
        self.late += int(np.count_nonzero(delay >= LATE_AFTER_DAYS))

    def as_json(self) -> dict[str, Any]:
        return {
            **self.spec,
            "records": self.records,
            "parts": self.parts,
            "kinds": self.kinds,
            "statuses": self.statuses,
            "late": self.late,
        }


def chunk_plan(spec: SynthSpec, per_subject: dict[str, float]) -> list[tuple[str, int, int]]:
    """``(kind, first, count)`` for every chunk: people first, then organisations."""
    chunks = []
    for kind, total in (("person", spec.people), ("organisation", spec.orgs)):
        expected = per_subject[kind] * spec.years * FOLLOW_UP_ALLOWANCE
        size = (
            MAX_CHUNK_SUBJECTS if expected <= 0 else int(max(1, min(MAX_CHUNK_SUBJECTS, spec.chunk_records / expected)))
        )
        chunks += [(kind, first, min(size, total - first)) for first in range(0, total, size)]
    return chunks


def generate_block(rng: np.random.Generator, plans: list[RulePlan], subjects: int, kind: str, window: Window) -> Block:
    """Facts of every rule for ``subjects`` subjects, then their follow-ups (which reference fact rows)."""
    facts = [make_facts(rng, plan, subjects, kind, window) for plan in plans]
    firsts = np.cumsum([0] + [len(block) for block in facts])
    followups = [
        make_followups(rng, plan, block, int(first), window)
        for plan, block, first in zip(plans, facts, firsts, strict=False)
    ]
    return Block.concat(facts + followups)


def synthesize(spec: SynthSpec, out: Path, *, overwrite: bool = False, progress: Progress | None = None) -> Summary:
    """Check everything, then write the population to ``out`` (atomically: a failed run leaves no output)."""
    check_spec(spec)
    check_out(out, overwrite=overwrite)
    root = np.random.SeedSequence(spec.seed)
    setup = np.random.default_rng(root.spawn(1)[0])
    places = Places.build(setup, spec.region, faker_names()[0], spec.people + spec.orgs)
    book = IdentityBook(spec.start, places, spec.people, setup)
    serial_base = int(setup.integers(0, SERIALS))
    window = Window(spec.start, spec.end)
    rates = rule_rates(spec.policy)
    plans, sources = plan_rules(spec.policy, rates, window)
    chunks = chunk_plan(spec, {kind: yearly_events(rates, kind) for kind in ("person", "organisation")})
    summary = Summary(_spec_json(spec, places))
    created = not out.exists()
    partial = out / ".synth-partial"
    shutil.rmtree(partial, ignore_errors=True)
    (partial / "records").mkdir(parents=True)
    try:
        _write_chunks(
            spec, chunks, Context(places, book, serial_base, window, plans, sources), partial, summary, progress
        )
        (partial / "synth.json").write_text(json.dumps(summary.as_json(), ensure_ascii=False, indent=1) + "\n")
        _move_into_place(partial, out)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        if created:
            shutil.rmtree(out, ignore_errors=True)
        raise
    return summary


@dataclass(frozen=True)
class Context:
    """What every chunk shares: homes, identity numbers handed out, rule plans."""

    places: Places
    book: IdentityBook
    serial_base: int
    window: Window
    plans: list[RulePlan]
    sources: list[str]


def _write_chunks(
    spec: SynthSpec,
    chunks: list[tuple[str, int, int]],
    context: Context,
    partial: Path,
    summary: Summary,
    progress: Progress | None,
) -> None:
    """Generate chunk k+1 while chunk k is written (Parquet encoding releases the GIL): two chunks in memory."""
    tz = spec.policy.policy.timezone
    with (
        pq.ParquetWriter(partial / "subjects.parquet", SUBJECT_SCHEMA, compression="zstd") as subjects_file,
        ThreadPoolExecutor(max_workers=1) as pool,
    ):
        pending: Future[None] | None = None
        for part, (kind, first, count) in enumerate(chunks):
            rng = np.random.default_rng(np.random.SeedSequence(spec.seed, spawn_key=(1, part)))
            if kind == "person":
                subjects = make_people(rng, count, context.places, context.book)
            else:
                subjects = make_orgs(rng, count, first, context.serial_base, context.places)
            block = generate_block(rng, context.plans, count, kind, context.window)
            frame = record_frame(rng, block, subjects, context.plans, context.sources, part, context.window, tz)
            summary.add(block, context.window)
            del block
            if pending is not None:
                pending.result()
            path = partial / "records" / f"part-{part:05d}.parquet"
            pending = pool.submit(_write_part, frame, subjects, path, subjects_file)
            if progress:
                progress(len(frame), len(chunks))
        if pending is not None:
            pending.result()


def _write_part(frame: pl.DataFrame, subjects: pl.DataFrame, path: Path, subjects_file: pq.ParquetWriter) -> None:
    frame.write_parquet(path, compression="zstd", compression_level=1)
    subjects_file.write_table(subjects.to_arrow().cast(SUBJECT_SCHEMA))


def _move_into_place(partial: Path, out: Path) -> None:
    """Replace an earlier population's files (only those) with the new ones."""
    shutil.rmtree(out / "records", ignore_errors=True)
    for name in ("subjects.parquet", "records", "synth.json"):
        (partial / name).replace(out / name)
    partial.rmdir()


def _spec_json(spec: SynthSpec, places: Places) -> dict[str, Any]:
    return {
        "policy": spec.policy.ref(),
        "people": spec.people,
        "orgs": spec.orgs,
        "months": spec.months,
        "seed": spec.seed,
        "region": spec.region,
        "divisions": places.codes,
        "start": spec.start.isoformat(),
        "end": spec.end.isoformat(),
        "chunk_records": spec.chunk_records,
    }
