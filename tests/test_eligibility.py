"""Eligibility's fast tests agree with the rules that give its reasons."""

import pytest

from models import Role, Slot
from scheduler.instance.eligibility import role_fits, why_not_role
from tests.tiny import case, scenario, unit


@pytest.mark.parametrize("leader", [
    {"min_role": "prosecutor", "min_level": 2},
    {"min_role": "deputy_chief", "min_level": 3},
    {"min_role": "chief", "min_level": 1},
])
def test_role_fits_says_what_why_not_role_says(leader: dict[str, object]) -> None:
    """For every role, level and slot, `role_fits` (eligibility's test, which builds no
    reason) holds exactly where `why_not_role` finds no reason against the person."""
    team = {"leader": leader, "members": {"prosecutor": 1, "assistant": 1, "clerk": 1}}
    c = scenario([unit("a")], [], [case("c", "a", team=team)]).cases[0]
    for role in Role:
        for level in range(0, 6):
            for slot in Slot:
                if slot is not Slot.LEADER and c.team.slot_count(slot) == 0:
                    continue
                assert role_fits(role, level, c, slot) == (
                    why_not_role(role, level, c, slot) is None), (role, level, slot)
