"""The binary ``COPY`` stream built over columns stores exactly the values of the frame (PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from platform_support import _postgres_available
from socialcredit.platform.records import pgbinary

from conftest import postgres_url

KINDS: dict[str, pgbinary.Kind] = {"a": "text", "d": "date", "t": "timestamptz", "p": "int4", "q": "int8"}
SCHEMA = {"a": pl.String, "d": pl.Date, "t": pl.Datetime("us", "UTC"), "p": pl.Int64, "q": pl.Int64}
TEXT = st.one_of(st.none(), st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=20))
ROW = st.fixed_dictionaries(
    {
        "a": TEXT,
        "d": st.one_of(st.none(), st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 1, 1))),
        "t": st.one_of(
            st.none(),
            st.datetimes(min_value=datetime(1950, 1, 1), max_value=datetime(2150, 1, 1)).map(
                lambda moment: moment.replace(tzinfo=UTC)
            ),
        ),
        "p": st.one_of(st.none(), st.integers(-(2**31), 2**31 - 1)),
        "q": st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1)),
    }
)


@pytest.fixture(scope="module")
def connection() -> Any:
    import psycopg

    if not _postgres_available(postgres_url()):
        pytest.skip("PostgreSQL is not reachable")
    with psycopg.connect(postgres_url(), autocommit=True) as connection:
        connection.execute("CREATE TEMPORARY TABLE copied (a text, d date, t timestamptz, p integer, q bigint)")
        yield connection


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(ROW, max_size=30))
def test_a_frame_copied_in_binary_reads_back_the_same(connection: Any, rows: list[dict[str, Any]]) -> None:
    frame = pl.DataFrame(rows, schema=SCHEMA)
    connection.execute("TRUNCATE copied")
    with connection.cursor() as cursor, cursor.copy("COPY copied FROM STDIN (FORMAT binary)") as copy:
        copy.write(pgbinary.encode(frame, KINDS))
    stored = connection.execute("SELECT a, d, t, p, q FROM copied").fetchall()
    assert [tuple(row[name] for name in KINDS) for row in rows] == [tuple(row) for row in stored]


def test_a_number_too_large_for_its_column_is_refused() -> None:
    frame = pl.DataFrame({"p": [2**31]}, schema={"p": pl.Int64})
    with pytest.raises(ValueError, match="does not fit int4"):
        pgbinary.encode(frame, {"p": "int4"})
