"""Integer columns of one SQL query as NumPy arrays, without a Python object per value.

Fetching rows builds a tuple and an int per value: for the half-million rows of a big board's event
log that costs most of a second before NumPy sees a number. Both engines can hand the numbers over
in bulk instead:

- PostgreSQL: one ``string_agg(int8send(…))`` per column joins the values' 8-byte big-endian
  forms into one bytea, fetched in binary and read by ``numpy.frombuffer``. (A binary COPY was
  tried first: psycopg hands a COPY over one row per chunk, which costs as much as fetching rows.)
- SQLite: one ``group_concat`` per column in a single pass over the rows (the columns of one
  aggregate query see the rows in the same order), each parsed by ``numpy.fromstring``.

Only integer expressions that are never NULL belong here (wrap nullable ones in COALESCE).
"""

from collections.abc import Sequence

import numpy as np
from django.db import connection


def int_columns(exprs: Sequence[str], rest: str, params: Sequence[object]) -> list[np.ndarray]:
    """``SELECT <exprs> <rest>`` as one int64 array per expression, in the query's row order on
    PostgreSQL; on SQLite the order is the scan's, so callers that need an order must select a key
    and sort by it. ``rest`` is the FROM/WHERE part with ``%s`` placeholders for ``params``."""
    if connection.vendor == "postgresql":
        return _postgres(exprs, rest, params)
    return _sqlite(exprs, rest, params)


def _postgres(exprs: Sequence[str], rest: str, params: Sequence[object]) -> list[np.ndarray]:
    # int8send gives each value's 8 big-endian bytes; string_agg joins them into one bytea per
    # column, in one order for all columns (psycopg decodes the hex text form in C).
    aggregates = ", ".join(f"string_agg(int8send(({e})::int8), ''::bytea)" for e in exprs)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*), {aggregates} {rest}", params)
        count, *blobs = cursor.fetchone()
    if not count:
        return [np.empty(0, dtype=np.int64) for _ in exprs]
    columns = [np.frombuffer(blob or b"", dtype=">i8").astype(np.int64) for blob in blobs]
    if any(column.size != count for column in columns):
        raise ValueError("a NULL in a string_agg of integer columns")
    return columns


def _sqlite(exprs: Sequence[str], rest: str, params: Sequence[object]) -> list[np.ndarray]:
    select = ", ".join(f"group_concat({e}, ',')" for e in exprs)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*), {select} {rest}", params)
        count, *texts = cursor.fetchone()
    if not count:
        return [np.empty(0, dtype=np.int64) for _ in exprs]
    columns = [
        np.fromstring(text, dtype=np.int64, sep=",") if text else np.empty(0, dtype=np.int64)
        for text in texts
    ]
    if any(column.size != count for column in columns):
        raise ValueError("a NULL in a group_concat of integer columns")
    return columns
