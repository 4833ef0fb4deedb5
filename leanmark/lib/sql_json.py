"""Columns the database hands over already written as the API's JSON writes them.

A whole-board read fetches tens of thousands of date-times and decimals. Django turns each into a
Python object (parsing SQLite's text, quantizing a Decimal) and the encoder turns it back into
text, once per value. These expressions have the database write the text the API's
encoder (django-ninja's, a DjangoJSONEncoder) would write, so a row's values go into the JSON as
they come:

- a date-time as ``2026-12-07T09:50:06.123Z``: UTC, milliseconds (cut, not rounded) and no
  fraction at all when its microseconds are 0;
- a decimal as ``12.50``, with its field's decimal places;
- a date as ``2026-12-07``;
- a JSON field as its JSON text (for ``orjson.Fragment``).

NULL stays NULL. SQLite keeps date-times as Django wrote them (``YYYY-MM-DD HH:MM:SS[.ffffff]``,
UTC), so the text is cut and joined; PostgreSQL formats its timestamptz with ``to_char``. A
literal ``%`` is written ``%%`` (the queries have parameters).
"""

from typing import Any

from django.db.models import CharField, Func


class _Text(Func):
    """One column, written by the database; subclasses give each vendor's SQL for ``{x}``."""

    sqlite = "{x}"
    postgresql = "{x}"
    output_field = CharField()  # no converter: the value comes as the database wrote it

    def __init__(self, column: str, **extra: Any) -> None:
        super().__init__(column, **extra)

    def _with(self, sql: str, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        column, params = compiler.compile(self.source_expressions[0])
        if params:  # the column's SQL is repeated below: only plain columns belong here
            raise ValueError(f"{type(self).__name__} takes a column, not an expression")
        return sql.format(x=column), []

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        return self._with(self.sqlite, compiler, connection)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        return self._with(self.postgresql, compiler, connection)


class IsoDateTime(_Text):
    # Milliseconds only when the stored fraction is not all zeros (a Now() writes ".000"): a
    # fraction of up to 6 digits sorts above '000000' exactly when one digit is not 0 (a
    # comparison, cheaper than a GLOB, about 1 ms of 11 in a 2,000-card read).
    sqlite = (
        "replace(substr({x}, 1, CASE WHEN substr({x}, 21) > '000000' THEN 23 ELSE 19 END), "
        "' ', 'T') || 'Z'"
    )
    postgresql = (
        "to_char({x} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || "
        "CASE WHEN extract(microseconds FROM {x})::bigint %% 1000000 = 0 THEN '' "
        "ELSE to_char({x} AT TIME ZONE 'UTC', '.MS') END || 'Z'"
    )


class IsoDate(_Text):
    postgresql = "to_char({x}, 'YYYY-MM-DD')"


class DecimalText(_Text):
    """``places``: the field's decimal places (SQLite keeps 3.00 as the integer 3)."""

    def __init__(self, column: str, places: int, **extra: Any) -> None:
        super().__init__(column, **extra)
        self.sqlite = (
            f"CASE WHEN {{x}} IS NULL THEN NULL ELSE printf('%%.{int(places)}f', {{x}}) END"
        )
        self.postgresql = "{x}::text"


class JsonText(_Text):
    postgresql = "{x}::text"
