"""``import`` of Parquet takes the column path for rows that need nothing else and the per-record path for
the rest: the stored rows, duplicates, problems and audit digest are the same as for the same records in
JSON Lines (per-record path only). The canonical text of a row is the same built by Python or by Polars."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from platform_support import Setup
from socialcredit.errors import RecordError
from socialcredit.platform.audit.verify import verify
from socialcredit.platform.records import canonical
from socialcredit.platform.records.importer import import_file
from socialcredit.platform.records.models import RecordRow

from conftest import ORG, PERSON, PERSON2

RECORDS: list[dict[str, Any]] = [
    {"id": "1", "subject": PERSON, "rule": "minus5", "occurred_on": "2024-03-01"},
    {"id": "2", "subject": PERSON2, "rule": "deed", "occurred_on": "2024-03-02", "reason": "helped"},
    {"id": "3", "subject": ORG, "rule": "other", "occurred_on": "2024-03-03", "points": "-7.5", "reason": "late"},
    {"id": "4", "subject": PERSON, "rule": "defaulter", "occurred_on": "2024-03-04", "document": "(2024) 7"},
    {"id": "5", "kind": "withdraw", "ref": "1", "occurred_on": "2024-04-01"},
    {"id": "6", "subject": PERSON, "rule": "litter", "occurred_on": "2024-05-01", "source": "court"},
]
BAD: list[dict[str, Any]] = [
    {"id": "7", "subject": "36042619910101007", "rule": "minus5", "occurred_on": "2024-03-01"},
    {"id": "8", "subject": PERSON, "rule": "nope", "occurred_on": "2024-03-01"},
    {"id": "9", "subject": PERSON, "rule": "minus5", "occurred_on": "2999-01-01"},
    {"id": "10", "subject": PERSON, "rule": "minus5", "occurred_on": "2024-03-01", "source": "police"},
    {"id": "2", "subject": PERSON2, "rule": "deed", "occurred_on": "2024-03-09"},
    {"id": "11", "kind": "withdraw", "ref": "nope", "occurred_on": "2024-04-01"},
]
SOURCES = itertools.count()  # a fresh source for each batch of the property test
SCHEMA = {
    name: pl.String
    for name in ("id", "subject", "rule", "occurred_on", "reason", "points", "document", "kind", "ref", "source")
}


def write(directory: Path, name: str, records: list[dict[str, Any]]) -> tuple[Path, Path]:
    jsonl = directory / f"{name}.jsonl"
    jsonl.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    parquet = directory / f"{name}.parquet"
    pl.DataFrame(records, schema=SCHEMA).write_parquet(parquet)
    return jsonl, parquet


def write_csv(directory: Path, name: str, records: list[dict[str, Any]]) -> Path:
    """The same records as CSV: the per-record path only."""
    path = directory / f"{name}.csv"
    pl.DataFrame(records, schema=SCHEMA).write_csv(path)
    return path


def stored(platform: Setup) -> list[tuple[Any, ...]]:
    with platform.unit() as session:
        rows = session.execute(select(RecordRow).order_by(RecordRow.record_id)).scalars()
        return [
            (
                r.record_id,
                r.subject,
                r.kind,
                r.ref,
                r.rule,
                r.occurred_on,
                r.points,
                r.reason,
                r.document,
                r.status,
                r.content_hash,
            )
            for r in rows
        ]


def run(platform: Setup, path: Path) -> Any:
    with platform.unit() as session:
        return import_file(session, actor=platform.admin, path=path, source="court")


def test_parquet_and_json_lines_store_the_same_rows(platform: Setup, tmp_path: Path) -> None:
    """Parquet first (mostly over columns), then CSV (per record only) and JSON Lines: all duplicates, so the
    content hashes Polars wrote are those Python computes."""
    platform.source("court")
    jsonl, parquet = write(tmp_path, "good", RECORDS)
    assert run(platform, parquet).accepted == 6
    from_parquet = stored(platform)
    assert len(from_parquet) == 6 and from_parquet[0][-2] == "confirmed"
    for path in (write_csv(tmp_path, "good", RECORDS), jsonl, parquet):
        again = run(platform, path)
        assert (again.accepted, again.duplicates) == (0, 6)
    assert stored(platform) == from_parquet
    with platform.unit() as session:
        assert verify(session).ok


def test_bad_parquet_rows_are_worded_as_for_json_lines(platform: Setup, tmp_path: Path) -> None:
    platform.source("court")
    jsonl, parquet = write(tmp_path, "bad", RECORDS + BAD)
    messages = []
    for path in (jsonl, parquet, write_csv(tmp_path, "bad", RECORDS + BAD)):
        with pytest.raises(RecordError) as caught:
            run(platform, path)
        messages.append([line.split(": ", 1)[1] for line in caught.value.details])
        first = 8 if path.suffix == ".csv" else 7  # CSV counts its header line
        assert caught.value.details[0].startswith(f"{path}:{first}: ")
    assert messages[0] == messages[1] == messages[2] and len(messages[0]) == 6
    assert stored(platform) == []


def test_a_large_parquet_file_is_stored_and_verifies(platform: Setup, tmp_path: Path) -> None:
    platform.source("court")
    many = [
        {"id": f"m{i}", "subject": (PERSON, PERSON2)[i % 2], "rule": "minus5", "occurred_on": "2024-03-01"}
        for i in range(3000)
    ]
    _, parquet = write(tmp_path, "many", many)
    with platform.unit() as session:
        result = import_file(session, actor=platform.admin, path=parquet, source="court", chunk_size=1000)
    assert (result.accepted, result.subjects) == (3000, 2)
    with platform.unit() as session:
        assert verify(session).ok
    platform.sql("UPDATE records SET occurred_on = '2024-03-02' WHERE record_id = 'm2999'")
    with platform.unit() as session:
        assert not verify(session).ok


TEXT = st.one_of(st.none(), st.text(max_size=12))
INT = st.one_of(st.none(), st.integers(min_value=-(10**12), max_value=10**12))
DAY = st.one_of(st.none(), st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)))
MOMENT = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1)).map(
    lambda moment: moment.replace(tzinfo=UTC)
)


@settings(max_examples=200, deadline=None)
@given(texts=st.lists(TEXT, min_size=3, max_size=3), number=INT, day=DAY, moment=MOMENT)
def test_python_and_polars_write_the_same_canonical_text(
    texts: list[str | None], number: int | None, day: date | None, moment: datetime
) -> None:
    row = {"a": texts[0], "b": texts[1], "c": texts[2], "n": number, "d": day, "t": moment}
    schema = {
        "a": pl.String,
        "b": pl.String,
        "c": pl.String,
        "n": pl.Int64,
        "d": pl.Date,
        "t": pl.Datetime("us", "UTC"),
    }
    frame = pl.DataFrame([row], schema=schema)
    names = list(row)
    assert frame.select(canonical.text_expr(names, frame.schema)).item() == canonical.text([row[n] for n in names])


def test_a_batch_with_its_frame_stores_what_the_per_record_path_stores(platform: Setup) -> None:
    from socialcredit.access import Actor
    from socialcredit.platform.records.service import ingest

    platform.source("court")
    platform.source("police")
    batch = [
        {key: value for key, value in r.items() if key != "source"} for r in RECORDS if r.get("rule") != "defaulter"
    ]
    frame = pl.DataFrame(batch, schema={name: SCHEMA[name] for name in SCHEMA if name != "source"})
    items = list(enumerate(batch))
    with platform.unit() as session:
        quick = ingest(
            session, actor=Actor("key", "court", "source", source="court"), items=items, source="court", frame=frame
        )
        slow = ingest(session, actor=Actor("key", "police", "source", source="police"), items=items, source="police")
    assert (quick.accepted, slow.accepted) == (5, 5)
    with platform.unit() as session:
        rows = session.execute(select(RecordRow).order_by(RecordRow.record_id, RecordRow.source)).scalars().all()
        by_source = {
            source: [
                (r.record_id, r.subject, r.kind, r.rule, r.occurred_on, r.points, r.reason, r.document, r.status)
                for r in rows
                if r.source == source
            ]
            for source in ("court", "police")
        }
        assert by_source["court"] == by_source["police"]
        assert verify(session).ok


def test_a_record_stored_before_late_in_the_file_is_a_duplicate_and_nothing_is_stored_twice(
    platform: Setup, tmp_path: Path
) -> None:
    """On PostgreSQL chunks are first written without looking up stored records; a record stored before,
    in the last chunk, undoes what was written and the file is read again with the look-ups."""
    platform.source("court")
    first = [{"id": f"a{i}", "subject": PERSON, "rule": "minus5", "occurred_on": "2024-03-01"} for i in range(10)]
    fresh = [{"id": f"b{i}", "subject": PERSON2, "rule": "minus5", "occurred_on": "2024-03-02"} for i in range(20)]
    _, old = write(tmp_path, "old", first)
    jsonl, parquet = write(tmp_path, "new", [*fresh, first[5]])
    run(platform, old)
    for path in (jsonl, parquet):
        read: list[int] = []
        with platform.unit() as session:
            result = import_file(
                session, actor=platform.admin, path=path, source="court", chunk_size=5, progress=read.append
            )
        assert (result.accepted, result.duplicates) == ((20, 1) if path == jsonl else (0, 21))
        assert sum(read) == 21
        if platform.db.engine.dialect.name == "postgresql":
            assert min(read) < 0  # read twice: the first reading was taken back
    assert platform.count("records") == 30
    with platform.unit() as session:
        assert verify(session).ok


def test_a_conflict_late_in_the_file_writes_nothing_and_names_its_line(platform: Setup, tmp_path: Path) -> None:
    platform.source("court")
    first = [{"id": "a1", "subject": PERSON, "rule": "minus5", "occurred_on": "2024-03-01"}]
    fresh = [{"id": f"b{i}", "subject": PERSON2, "rule": "minus5", "occurred_on": "2024-03-02"} for i in range(12)]
    _, old = write(tmp_path, "old", first)
    jsonl, _ = write(tmp_path, "new", [*fresh, {**first[0], "occurred_on": "2024-03-05"}])
    run(platform, old)
    with pytest.raises(RecordError) as caught, platform.unit() as session:
        import_file(session, actor=platform.admin, path=jsonl, source="court", chunk_size=4)
    assert caught.value.details == [f"{jsonl}:13: id: (court, a1) was already recorded with different content"]
    assert platform.count("records") == 1


def test_json_lines_problems_name_the_physical_line_across_blank_lines(platform: Setup, tmp_path: Path) -> None:
    platform.source("court")
    good = [
        json.dumps({"id": f"g{i}", "subject": PERSON, "rule": "minus5", "occurred_on": "2024-03-01"}) for i in range(4)
    ]
    bad = json.dumps({"id": "b1", "subject": PERSON, "rule": "nope", "occurred_on": "2024-03-01"})
    path = tmp_path / "blank.jsonl"
    path.write_text("\n".join([good[0], "", "  ", good[1], good[2], "", bad, good[3]]), encoding="utf-8")
    with pytest.raises(RecordError) as caught, platform.unit() as session:
        import_file(session, actor=platform.admin, path=path, source="court", chunk_size=3)
    assert [line.split(": ")[0] for line in caught.value.details] == [f"{path}:7"]
    path.write_text(path.read_text(encoding="utf-8").replace(bad, ""), encoding="utf-8")
    with platform.unit() as session:
        result = import_file(session, actor=platform.admin, path=path, source="court", chunk_size=3)
    assert (result.accepted, result.duplicates) == (4, 0)


def test_points_with_more_than_two_decimals_are_refused_in_json_lines_though_a_float_would_round_them(
    platform: Setup, tmp_path: Path
) -> None:
    platform.source("court")
    path = tmp_path / "digits.jsonl"
    exact = json.dumps({**RECORDS[2], "points": "POINTS"}).replace('"POINTS"', "-7.5000000000000001")
    path.write_text(json.dumps(RECORDS[0]) + "\n" + exact + "\n", encoding="utf-8")
    with pytest.raises(RecordError) as caught:
        run(platform, path)
    assert caught.value.details == [f"{path}:2: points: -7.5000000000000001 has more than two decimals"]
    assert stored(platform) == []


def test_an_unknown_field_far_down_a_json_lines_file_is_refused(platform: Setup, tmp_path: Path) -> None:
    """Polars guesses a file's columns from its first lines; a field first seen later must still be found."""
    platform.source("court")
    good = [{"id": f"g{i}", "subject": PERSON, "rule": "minus5", "occurred_on": "2024-03-01"} for i in range(300)]
    odd = {"id": "odd", "subject": PERSON, "rule": "minus5", "occurred_on": "2024-03-01", "colour": "red"}
    path = tmp_path / "late.jsonl"
    path.write_text("".join(json.dumps(record) + "\n" for record in [*good, odd]), encoding="utf-8")
    with pytest.raises(RecordError) as caught:
        run(platform, path)
    assert caught.value.details == [f"{path}:301: colour: unknown field"]
    assert stored(platform) == []


TOKENS: dict[str, list[str]] = {  # raw JSON text of each field's value: awkward tokens beside plain strings
    "id": ['"1"', '"2"', '"3"', '""', "7.50", '"7.50"', "true", '"True"', "1e2", '" 1"'],
    "subject": [f'"{PERSON}"', f'"{PERSON2}"', f'"{ORG}"', f'"{PERSON.lower()}"', "5"],
    "kind": ['"fact"', '"withdraw"', '"correct"', '"FACT"', '"withdraw"'],
    "ref": ['"1"', '"x"', '""', "true", '"True"'],
    "rule": ['"minus5"', '"other"', '"deed"', '"nope"', "1"],
    "occurred_on": ['"2024-03-01"', '"2024-02-30"', '"2999-01-01"', '"20240301"', "20240301"],
    "points": ['"-12.5"', "-12.5", "-12", "-7.5000000000000001", '"0.001"', "true", "[1]", "-1.2e1"],
    "reason": ['"late"', '""', "5.0", "true"],
    "document": ['"(2024) 7"', '""'],
    "status": ['"confirmed"', '"pending"', '"CONFIRMED"'],
    "colour": ['"red"'],
}
PLAIN = [  # valid records of the test handbook, as raw JSON fields
    {"id": '"1"', "subject": f'"{PERSON}"', "rule": '"minus5"', "occurred_on": '"2024-03-01"'},
    {"id": '"2"', "subject": f'"{ORG}"', "rule": '"other"', "occurred_on": '"2024-03-03"', "points": '"-7.5"',
     "reason": '"late"'},
    {"id": '"3"', "subject": f'"{PERSON2}"', "rule": '"deed"', "occurred_on": '"2024-03-02"', "reason": '"helped"'},
]  # fmt: skip


@st.composite
def json_line(draw: st.DrawFn) -> str:
    """A valid record with zero to two fields given an awkward token, as one line of JSON text."""
    fields = dict(draw(st.sampled_from(PLAIN)))
    for name in draw(st.lists(st.sampled_from(sorted(TOKENS)), max_size=2)):
        fields[name] = draw(st.sampled_from(TOKENS[name]))
    return "{" + ", ".join(f'"{name}": {token}' for name, token in fields.items()) + "}"


LINES = st.lists(json_line(), min_size=1, max_size=5)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=LINES)
def test_a_json_batch_read_over_columns_is_taken_as_the_per_record_path_takes_it(
    platform: Setup, lines: list[str]
) -> None:
    """Odd JSON batches, partial: the same records stored and the same problems with the column checks (the
    frame Polars reads from the body, as the API makes it) as without them."""
    from socialcredit.access import Actor
    from socialcredit.platform.records.service import ingest
    from socialcredit.records.files import json_frame, jsonl_record

    frame = json_frame("".join(line + "\n" for line in lines).encode(), lines=True)
    items = [(position, jsonl_record(line)) for position, line in enumerate(lines)]
    outcomes = []
    for quick in (True, False):
        source = f"q{next(SOURCES)}"
        platform.source(source)
        with platform.unit() as session:
            result = ingest(
                session, actor=Actor("key", source, "source", source=source), items=items,
                source=source, partial=True, frame=frame if quick else None,
            )  # fmt: skip
            rows = session.execute(
                select(RecordRow.record_id, RecordRow.subject, RecordRow.kind, RecordRow.rule, RecordRow.occurred_on,
                       RecordRow.points, RecordRow.reason, RecordRow.document, RecordRow.status)
                .where(RecordRow.source == source).order_by(RecordRow.record_id)
            ).all()  # fmt: skip
        problems = [(p.position, p.field, p.reason.replace(source, "SOURCE")) for p in result.rejected]
        outcomes.append((result.accepted, result.duplicates, problems, [tuple(row) for row in rows]))
    assert outcomes[0] == outcomes[1]
