"""The closed vocabularies of the spec: tiers, roles, slots, scopes, case kinds, statuses."""

from enum import StrEnum


class Tier(StrEnum):
    PROVINCIAL = "provincial"
    MUNICIPAL = "municipal"
    GRASSROOTS = "grassroots"


class Role(StrEnum):
    CHIEF = "chief"
    DEPUTY_CHIEF = "deputy_chief"
    PROSECUTOR = "prosecutor"
    ASSISTANT = "assistant"
    CLERK = "clerk"


# Seniority among prosecutor-rank roles; assistants and clerks have none.
ROLE_RANK: dict[Role, int] = {Role.CHIEF: 3, Role.DEPUTY_CHIEF: 2, Role.PROSECUTOR: 1}


def is_prosecutor_rank(role: Role) -> bool:
    """Prosecutor rank means role chief, deputy_chief or prosecutor."""
    return role in ROLE_RANK


class Slot(StrEnum):
    LEADER = "leader"
    PROSECUTOR = "prosecutor"
    ASSISTANT = "assistant"
    CLERK = "clerk"


def slot_takes(slot: Slot, role: Role) -> bool:
    """Whether a person of `role` may fill a member `slot` (the leader slot has its own rule)."""
    if slot in (Slot.LEADER, Slot.PROSECUTOR):
        return is_prosecutor_rank(role)
    return role.value == slot.value


class Scope(StrEnum):
    UNIT = "unit"
    PAIR = "pair"
    GROUP = "group"
    MUNICIPAL = "municipal"
    PROVINCIAL = "provincial"


DEFAULT_SCOPE: dict[Tier, Scope] = {
    Tier.GRASSROOTS: Scope.PAIR,
    Tier.MUNICIPAL: Scope.MUNICIPAL,
    Tier.PROVINCIAL: Scope.PROVINCIAL,
}


class Kind(StrEnum):
    CRIMINAL = "criminal"
    CIVIL = "civil"
    ADMINISTRATIVE = "administrative"
    PUBLIC_INTEREST = "public_interest"


class Status(StrEnum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    NO_SOLUTION_IN_TIME = "no_solution_in_time"


class KeyRole(StrEnum):
    """What a service API key may do: read; also solve, commit and release; also store
    scenarios."""

    VIEWER = "viewer"
    PLANNER = "planner"
    ADMIN = "admin"
