"""Update errors a client can act on (issue 14): what an update asks that cannot be done is a
400 naming it, not a 500; LOAD and SERVICE inside an update fetch nothing the operator has
not allowed (they reached internal URLs, and a failed LOAD echoed what it fetched)."""

from __future__ import annotations

import pytest

BASE = "http://test.example/"


@pytest.mark.parametrize("update, words", [
    (f"CREATE GRAPH <{BASE}graph/twice>", "already exists"),
    (f"DROP GRAPH <{BASE}graph/never>", "does not exist"),
])
def test_what_cannot_be_done_is_a_400_and_changes_nothing(client, update, words):
    assert client.update(f"CREATE SILENT GRAPH <{BASE}graph/twice>").status == 204
    reply = client.update(update)
    assert reply.status == 400, reply.text
    assert words in reply.json()["message"] and "changed nothing" in reply.json()["message"]
    assert client.update(update.replace("GRAPH", "SILENT GRAPH", 1)).status == 204  # SILENT: fine


@pytest.mark.parametrize("update", [
    "LOAD <http://127.0.0.1:9/secret.ttl>",
    "LOAD SILENT <http://169.254.169.254/latest/meta-data/> INTO GRAPH <http://x/g>",
    "INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
])
def test_an_update_fetches_nothing_unless_allowed(client, update):
    reply = client.update(update)
    assert reply.status == 400, reply.text
    message = reply.json()["message"]
    assert "allow-list" in message or "SERVICE is disabled" in message
