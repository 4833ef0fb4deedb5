"""Findings of the schemathesis run (issue 12, item 3), kept as regular tests.

1. Every operation answers a bad path, query or body with the shared 422 envelope, but ninja's
   ``codes_4xx`` leaves 422 out, so the document promised no 422 at all.
2. Two response schemas named ``ChangeOut`` (improvement's change dates, value stream's map
   comparison) became one OpenAPI component, so the comparison's documented rows required
   ``date``/``label``/``url`` and every real comparison row broke the schema. The same
   collision documented the wrong request body for ``MoveIn`` (board card vs value-stream step)
   and ``DecisionIn`` (experiment vs improvement).
3. ``GET /workspaces/{slug}/members`` answered 404 for an unknown workspace but documented only
   200.
"""

import json

import pytest
from ninja import Schema

from leanmark.api import api


@pytest.fixture(scope="module")
def document():
    return json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1/")))


def test_every_operation_with_input_documents_the_422_it_answers(document):
    missing = [
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method, op in item.items()
        if (op.get("parameters") or op.get("requestBody")) and "422" not in op["responses"]
    ]
    assert missing == []


def _schema_classes(cls=Schema):
    for sub in cls.__subclasses__():
        own = sub.__module__.startswith("leanmark.") and ".tests." not in sub.__module__
        if own and sub.model_fields:  # a field-less base (``Strict``) is never a component
            yield sub
        yield from _schema_classes(sub)


def test_no_two_api_schemas_share_a_component_name():
    by_name: dict[str, set[str]] = {}
    for cls in _schema_classes():
        by_name.setdefault(cls.__name__, set()).add(f"{cls.__module__}.{cls.__qualname__}")
    assert {name: where for name, where in by_name.items() if len(where) > 1} == {}


def test_map_comparison_rows_are_documented_as_figures(document):
    schemas = document["components"]["schemas"]
    op = document["paths"]["/api/v1/value-streams/{stream_id}/compare/{future_id}"]["get"]
    ref = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    compare = schemas[ref.rsplit("/", 1)[1]]
    row_ref = compare["properties"]["changes"]["items"]["$ref"]
    row = schemas[row_ref.rsplit("/", 1)[1]]
    assert sorted(row["required"]) == ["change", "current", "figure", "future"]
