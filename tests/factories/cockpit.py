"""The cockpit's data set: the KPI tests' November week (tests/kpis/world.py) carried on to
Monday 2026-11-30, with one D-EAST case overdue and escalated and one report received that
morning, so every tile and the heat table have something to count."""
from __future__ import annotations

from engine import timers
from tests.factories.directory import make_user
from tests.factories.event_loop import EventLoop
from tests.kpis.world import EAST, intake, move_to, november

TODAY = "2026-11-30"


def cockpit_world(client, container, clock) -> EventLoop:
    """november() plus:

    ==  ======  ==========  ==========================  =====================================
    H   D-EAST  D-EAST-CG   exposed_rubbish, Fri 11:00   signed for, 处置 (4wh) never done: overdue
                                                         since Fri afternoon, escalated (提级)
    I   D-EAST  (12345)     —, Mon 2026-11-30 09:00      received today, waiting for 预处理
    ==  ======  ==========  ==========================  =====================================
    and ``boss``, a leader of the whole city (CITY).
    """
    loop = november(client, container, clock)
    make_user(container, "boss", "leader", org_unit="CITY")
    h = loop.report("zhang", title="H 暴露垃圾", channel="app", **EAST)["id"]
    intake(loop, h, "urban.appearance.exposed_rubbish")
    loop.advance("zhao", h, "Task_signfor", signfor="accept")
    move_to(clock, f"{TODAY} 09:00")
    loop.report("zhang", title="I 暴露垃圾", channel="app", **EAST)
    move_to(clock, f"{TODAY} 11:30")
    timers.sweep(container, "test")
    return loop
