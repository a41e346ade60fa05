"""The column checks never accept a record the per-record validator refuses, and what they accept reads as
the validator reads it: on JSON Lines (``json_frame``, then ``fast_rows``) written as raw text with awkward
tokens where text, dates or points belong (numbers with digits a float cannot hold, ``true``, lists, fields
first seen late), and on Parquet text columns with padded, blank or replaced values.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socialcredit.errors import RecordError
from socialcredit.policy.model import Policy
from socialcredit.records.files import json_frame, jsonl_record
from socialcredit.records.parse import RecordInvalid, parse_record
from socialcredit.records.validate import load_records, rule_problems
from socialcredit.scoring.columnar_rows import fast_rows
from socialcredit.scoring.frames import records_frame

from conftest import ORG, PERSON, PERSON2, TZ, make_policy

ODD = ["7.50", "150", "true", "false", "1e2", "-7.5000000000000001", "[1]", '" padded "', '""', "null"]
SHA = "ab" * 32


VALID: list[dict[str, Any]] = [
    {"source": "s", "subject": PERSON, "rule": "minus5", "occurred_on": "2024-03-01"},
    {"source": "court", "subject": PERSON2, "rule": "defaulter", "occurred_on": "2024-03-02", "document": "(2024) 7"},
    {"source": "t", "subject": ORG, "rule": "other", "occurred_on": "2024-03-03", "points": "-12.5", "reason": "late"},
    {"source": "s", "subject": PERSON, "rule": "deed", "occurred_on": "2024-03-04", "status": "pending",
     "recorded_at": "2024-03-05T09:00:00+08:00", "evidence": [{"sha256": SHA, "media_type": "image/png"}]},
    {"source": "s", "kind": "withdraw", "ref": "r0", "occurred_on": "2024-04-01"},
]  # fmt: skip
FIELDS = ["source", "id", "subject", "kind", "ref", "rule", "occurred_on", "recorded_at", "points", "reason",
          "document", "status", "evidence", "colour"]  # fmt: skip
ODD_POINTS = ["-7", "-7.5", "-7.25", "-7.5000000000000001", '"-7.50"', "-10.0", "-1e1"]
MOMENTS = [
    "2024-03-05T09:00:00Z", "2024-03-05T09:00:00.5+08:00", "2024-03-05T09:00:00", "2024-03-05",
    "2024-03-05T23:59:60+08:00", "2024-03-05T24:00:00+08:00", "2024-03-05 09:00:00+08:00",
    "2024-03-05T09:00:00.1234567+08:00", "2024-03-05T09:00:00+0800", "2024-02-30T09:00:00Z", " 2024-03-05",
]  # fmt: skip


@st.composite
def lines(draw: st.DrawFn, number: int) -> str:
    """A valid record, with zero to two fields given an awkward token (or left out)."""
    fields = {name: json.dumps(value) for name, value in draw(st.sampled_from(VALID)).items()}
    fields["id"] = json.dumps(f"r{number}")
    for name in draw(st.lists(st.sampled_from(FIELDS), max_size=2)):
        odd = {"points": ODD_POINTS, "recorded_at": [json.dumps(moment) for moment in MOMENTS]}.get(
            name, [*ODD, "[]", json.dumps([{"sha256": SHA}])]
        )
        fields[name] = draw(st.sampled_from([*odd, "absent"]))
    return "{" + ", ".join(f"{json.dumps(k)}: {v}" for k, v in fields.items() if v != "absent") + "}"


@st.composite
def batches(draw: st.DrawFn) -> list[str]:
    """Lines of a JSON Lines batch; the first few are plain, so that Polars reads most columns as text."""
    plain = json.dumps({"source": "s", "id": "p", "subject": PERSON, "rule": "minus5", "occurred_on": "2024-03-01"})
    plain_reason = json.dumps(
        {"source": "s", "id": "q", "subject": ORG, "rule": "other", "occurred_on": "2024-03-01", "points": "-10",
         "reason": "r", "document": "d", "status": "confirmed", "ref": None, "kind": "fact"}
    )  # fmt: skip
    count = draw(st.integers(1, 12))
    return [plain, plain_reason, *(draw(lines(number)) for number in range(count))]


def _expected(line: str, policy: Policy) -> dict[str, Any] | None:
    """The record as the per-record validator reads it, or None when it refuses it."""
    try:
        record = parse_record(jsonl_record(line), TZ, allowed_kinds=tuple(policy.policy.subjects))
    except RecordInvalid:
        return None
    if rule_problems(record, policy):
        return None
    return {
        "source": record.source,
        "id": record.id,
        "subject": record.subject or None,
        "kind": record.kind,
        "ref": record.ref,
        "rule": record.rule,
        "occurred_on": record.occurred_on,
        "recorded_at": record.recorded_at.astimezone(UTC),
        "points": record.points,  # hundredths
        "status": record.status,
    }


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches())
def test_rows_accepted_over_columns_read_as_the_validator_reads_them(texts: list[str]) -> None:
    policy = make_policy()
    frame = json_frame(("\n".join(texts) + "\n").encode(), lines=True)
    expected = [_expected(text, policy) for text in texts]
    if frame is None:  # Polars does not read it as a table: every record goes the per-record way
        return
    assert frame.height == len(texts)
    checked = fast_rows(frame, policy, policy.policy.timezone)
    for text, want, row in zip(texts, expected, checked.iter_rows(named=True), strict=True):
        if not row["_ok"]:
            continue
        assert want is not None, f"accepted over columns, refused by the validator: {text}"
        got = {name: row[name] for name in want}
        got["recorded_at"] = got["recorded_at"].replace(tzinfo=UTC)
        assert got == want, text


def test_plain_json_records_are_accepted_over_columns() -> None:
    policy = make_policy()
    texts = [json.dumps({**record, "id": f"r{number}"}) for number, record in enumerate(VALID)]
    frame = json_frame(("\n".join(texts) + "\n").encode(), lines=True)
    assert frame is not None
    checked = fast_rows(frame, policy, policy.policy.timezone)
    assert checked["_ok"].to_list() == [True] * len(texts)
    assert [_expected(text, policy) is not None for text in texts] == [True] * len(texts)


TEXTS = ["", " ", "\x1c", "\u3000", "\u00a0", "X", "fact", "withdraw", "correct", "pending", "confirmed"]


@st.composite
def parquet_rows(draw: st.DrawFn, number: int) -> dict[str, Any]:
    """A valid record as Parquet text columns, with zero to two values padded, blanked or replaced."""
    row: dict[str, Any] = {**draw(st.sampled_from(VALID)), "id": f"r{number}"}
    row.pop("evidence", None)
    for name in draw(st.lists(st.sampled_from([f for f in FIELDS if f not in ("evidence", "colour")]), max_size=2)):
        value = row.get(name) or draw(st.sampled_from(TEXTS))
        pad = draw(st.sampled_from(TEXTS[:5]))
        row[name] = draw(
            st.sampled_from(
                [None, pad + value, value + pad, draw(st.sampled_from(TEXTS)), value.upper(), "-7.255", "2024-03-05"]
            )
        )
    return row


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 10).flatmap(lambda n: st.tuples(*(parquet_rows(i) for i in range(n)))))
def test_parquet_text_rows_accepted_over_columns_read_as_the_validator_reads_them(
    rows: tuple[dict[str, Any], ...],
) -> None:
    policy = make_policy()
    names = [name for name in FIELDS if name not in ("evidence", "colour")]
    frame = pl.DataFrame(
        [{name: row.get(name) for name in names} for row in rows], schema=dict.fromkeys(names, pl.String)
    )
    checked = fast_rows(frame, policy, policy.policy.timezone)
    for row, got in zip(rows, checked.iter_rows(named=True), strict=True):
        if not got["_ok"]:
            continue
        text = json.dumps({key: value for key, value in row.items() if value is not None})
        want = _expected(text, policy)
        assert want is not None, f"accepted over columns, refused by the validator: {text}"
        found = {name: got[name] for name in want} | {"recorded_at": got["recorded_at"].replace(tzinfo=UTC)}
        assert found == want, text


def test_a_field_named_like_nothing_the_format_knows_is_unknown_in_json_too() -> None:
    policy = make_policy()
    text = json.dumps({**VALID[0], "id": "r1", "_loose": False})
    frame = json_frame((text + "\n").encode(), lines=True)
    assert frame is not None
    assert fast_rows(frame, policy, policy.policy.timezone)["_ok"].to_list() == [False]
    assert _expected(text, policy) is None


AWKWARD: dict[str, list[Any]] = {
    "source": ["s", "court", "t", "", " s", 5, True, [1], {"a": 1}],
    "id": ["1", "2", "3", "", 7.5, 10**20, " 1"],
    "subject": [PERSON, PERSON2, ORG, PERSON.lower(), "123", "", 5],
    "kind": ["fact", "correct", "withdraw", "cure", "repair", "FACT", "", 1],
    "ref": ["1", "2", "x", "", 3],
    "rule": ["minus5", "other", "defaulter", "deed", "plus4.points-cap", "nope", "", 1],
    "occurred_on": ["2024-03-01", "2024-02-30", "9999-12-31", "0001-01-01", "20240301", "", 20240301],
    "recorded_at": ["2024-03-02T09:00:00+08:00", "2024-03-02", "0001-01-01T00:00:00+14:00",
                    "9999-12-31T23:59:59-12:00", "x", 5, "2024-03-02T09:00:00.1234567Z"],
    "points": ["-12.5", -12.5, -12, "1e400", "nan", 10**30, "-360426199101010071", True, [1], "0.001"],
    "reason": ["late", "", 5, " "],
    "document": ["(2024) 7", ""],
    "status": ["confirmed", "pending", "contested", "suspended", "CONFIRMED", 1],
    "evidence": [[{"sha256": SHA, "media_type": "image/png"}], [{"sha256": "zz"}], "x", [], [{"sha256": SHA}], [1]],
}  # fmt: skip
ODD_RECORDS = st.fixed_dictionaries({}, optional={name: st.sampled_from(values) for name, values in AWKWARD.items()})


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(st.lists(ODD_RECORDS, min_size=1, max_size=6))
def test_score_s_reader_and_evaluate_s_refuse_the_same_records_the_same_way(
    tmp_path_factory: pytest.TempPathFactory, records: list[dict[str, Any]]
) -> None:
    """Whole files of odd records, read by ``records_frame`` (score) and ``load_records`` (evaluate): the same
    problems, worded the same, or none; never a crash."""
    path = tmp_path_factory.mktemp("odd") / "records.jsonl"
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    assert _problems(load_records, path) == _problems(records_frame, path)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(st.lists(ODD_RECORDS, min_size=1, max_size=6))
def test_both_readers_refuse_the_same_parquet_records_the_same_way(
    tmp_path_factory: pytest.TempPathFactory, records: list[dict[str, Any]]
) -> None:
    """The same, for Parquet whose every column is text (the usual export of a spreadsheet or a database)."""
    names = sorted({name for record in records for name in record})
    texts = [{name: None if name not in r else r[name] if isinstance(r[name], str) else json.dumps(r[name])
              for name in names} for r in records]  # fmt: skip
    path = tmp_path_factory.mktemp("odd") / "records.parquet"
    pl.DataFrame(texts, schema=dict.fromkeys(names, pl.String)).write_parquet(path)
    assert _problems(load_records, path) == _problems(records_frame, path)


def _problems(read: Callable[..., object], path: Path) -> list[str] | None:
    """What a reader finds wrong in ``path`` under the test handbook (None: nothing)."""
    try:
        read(path, make_policy())
    except RecordError as error:
        return error.details
    return None
