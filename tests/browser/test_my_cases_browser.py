"""A citizen's 我的办件 in a real browser, at desk and phone width: their case is listed and
opens its read-only case page; axe-core finds nothing serious."""
from __future__ import annotations

from tests.bundles.test_birth_one_thing import FORM, TYPICAL
from tests.factories.bundles import BundleWorld


def test_a_citizen_finds_their_application_in_my_cases(client, container, base_url, page, phone, sign_in,
                                                        shot, check_a11y):
    world = BundleWorld(client, container, keys=("birth_one_thing",))
    case = world.apply("zhang", "birth_one_thing", TYPICAL, FORM, {"PARENT_ID": [world.material("zhang")]}).get_json()
    for tab, width in ((page, 1280), (phone, 375)):
        sign_in(tab, base_url, "zhang")
        tab.goto(f"{base_url}/my")
        assert case["number"] in tab.content()
        check_a11y(tab)
        shot(tab, f"my-cases-{width}")
        assert tab.evaluate("document.scrollingElement.scrollWidth") <= width
        tab.click(f"text={case['number']}")
        tab.wait_for_load_state("networkidle")
        assert "出生一件事" in tab.content()
        check_a11y(tab)
        shot(tab, f"my-case-{width}")
