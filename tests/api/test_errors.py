"""Errors become problem+json through one explicit table: each package's root (and the
specific errors) has a status and a stable code, a subclass inherits its nearest listed
ancestor's, and anything unlisted — a raw driver or pydantic error — is a bare 500."""

from __future__ import annotations

import pydantic
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import errors
from graph import exceptions as gx
from ingest.exceptions import IngestError
from knowledge.exceptions import IndexNotBuiltError, KnowledgeError
from qa.exceptions import CitationError, QAError
from risk.exceptions import RegistryError, RiskError
from risk.warnings.exceptions import TransitionConflict, WarningsError
from training.exceptions import TrainingError

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("root,code", [
    (gx.GraphError, "graph.error"), (IngestError, "ingest.error"), (RiskError, "risk.error"),
    (WarningsError, "risk.warnings.error"), (TrainingError, "training.error"),
    (KnowledgeError, "knowledge.error"), (QAError, "qa.error")])
def test_every_package_root_is_in_the_table(root, code):
    assert root in errors.PACKAGE_ERRORS and errors.lookup(root("x"))[1] == code


def test_a_subclass_gets_its_nearest_listed_ancestors_entry():
    class StaleIndex(IndexNotBuiltError):
        pass

    assert errors.lookup(StaleIndex("x")) == (503, "knowledge.index_not_built")
    assert errors.lookup(TransitionConflict("x")) == (409, "warnings.illegal_transition")
    assert errors.lookup(CitationError("x")) == (502, "qa.generator")
    assert errors.lookup(gx.QueryError("x")) == (500, "graph.error")
    assert errors.lookup(ValueError("x")) is None


def _pydantic_error() -> pydantic.ValidationError:
    class M(pydantic.BaseModel):
        n: int

    try:
        M(n="not a number")
    except pydantic.ValidationError as e:
        return e
    raise AssertionError("pydantic accepted a string for an int")


RAISES = {
    "unavailable": gx.GraphUnavailable("engine at bolt://127.0.0.1:7687 refused the connection"),
    "query": gx.QueryError("MATCH (n:Secret {id: '110101199003071234'}) failed"),
    "record": gx.RecordError("bad key", field="key"),
    "registry": RegistryError("nothing to roll back to"),
    "pydantic": _pydantic_error(),
    "value": ValueError("raw internals: /srv/secret/path"),
}


@pytest.fixture(scope="module")
def client():
    app = FastAPI()
    errors.install(app)

    @app.get("/raise/{name}")
    def raise_(name: str):
        raise RAISES[name]

    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize("name,status,code,detail", [
    ("unavailable", 503, "graph.unavailable",
     "engine at bolt://127.0.0.1:7687 refused the connection"),
    ("query", 500, "graph.error", "the server hit an error"),
    ("registry", 409, "models.registry", "nothing to roll back to"),
    ("pydantic", 500, "internal", "the server hit an unexpected error"),
    ("value", 500, "internal", "the server hit an unexpected error"),
])
def test_problem_json_status_code_and_detail(client, name, status, code, detail):
    r = client.get(f"/raise/{name}")
    assert r.status_code == status
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert (body["status"], body["code"], body["detail"]) == (status, code, detail)
    assert body["type"] == errors.TYPE_BASE + code and body["instance"] == f"/raise/{name}"


def test_a_record_error_names_its_field(client):
    body = client.get("/raise/record").json()
    assert (body["status"], body["code"], body["field"]) == (422, "graph.invalid_record", "key")


def test_raw_errors_leak_nothing(client):
    for name in ("query", "pydantic", "value"):
        text = client.get(f"/raise/{name}").text
        for leak in ("110101199003071234", "/srv/secret", "not a number", "int_parsing"):
            assert leak not in text, (name, text)
