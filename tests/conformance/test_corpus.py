"""Diagrams from the field (tests/data/corpus), uploaded as an admin would: each one deploys or is
refused with a 400 that names an element of the file and gives its line. Never a 5xx, never a
message the admin cannot place in the modeler."""
from __future__ import annotations

import pytest
from lxml import etree

from tests.conftest import DATA
from tests.factories.api import ApiUser
from tests.factories.directory import make_org_tree, make_user

CORPUS = DATA / "corpus"
FILES = sorted(CORPUS.glob("*/*.bpmn"))


@pytest.fixture
def admin(client, container):
    make_org_tree(container)
    make_user(container, "root", "admin")
    return ApiUser(client, "root")


def test_the_corpus_is_all_there():
    assert len(FILES) == 56


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.name}" for p in FILES])
def test_a_diagram_deploys_or_is_refused_naming_element_and_line(admin, path):
    resp = admin.upload((path.name, path.read_bytes()))
    assert resp.status_code in (200, 201, 400), resp.get_json()
    if resp.status_code == 400:
        fields = resp.get_json()["error"]["fields"]
        ids = set(etree.parse(str(path)).xpath("//@id"))
        named = {element: messages for element, messages in fields.items() if element in ids}
        assert named, f"no key of {sorted(fields)} is an element of {path.name}"
        unplaced = [m for messages in named.values() for m in messages if not m.startswith("line ")]
        assert not unplaced, unplaced
