"""A citizen's 我的办件: their own cases, each linking to its (read-only) case page; nobody else's."""
from __future__ import annotations

import pytest

from tests.bundles.test_birth_one_thing import FORM, TYPICAL
from tests.factories.bundles import BundleWorld
from tests.web.test_task_pages import _sign_in


@pytest.fixture
def world(client, container):
    return BundleWorld(client, container, keys=("birth_one_thing",))


def test_a_citizen_sees_their_own_cases_and_not_others(world, client):
    mine = world.apply("zhang", "birth_one_thing", TYPICAL, FORM, {"PARENT_ID": [world.material("zhang")]}).get_json()
    theirs = world.apply("li", "birth_one_thing", TYPICAL, FORM | {"child_name": "李小宝"},
                         {"PARENT_ID": [world.material("li")]}).get_json()
    _sign_in(client, "zhang")
    page = client.get("/my").get_data(as_text=True)
    assert mine["number"] in page and theirs["number"] not in page
    assert f'href="/my/cases/{mine["id"]}"' in page
    assert client.get(f"/my/cases/{mine['id']}").status_code == 200
    assert client.get(f"/my/cases/{theirs['id']}").status_code == 404
    assert client.get(f"/cases/{mine['id']}").headers["Location"].endswith(f"/my/cases/{mine['id']}")
    assert client.get("/my?page=abc").status_code == 200
