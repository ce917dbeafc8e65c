"""What the service answers, beside the models of models/."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from models import Problem, Scenario


class ScenarioSummary(BaseModel):
    id: str = Field(description="The stored scenario's id (assigned by the service).")
    name: str = Field(description="The scenario's name.")
    version: int = Field(description="The current version; each replacement adds one.")
    created_at: datetime = Field(description="When the scenario was first stored.")
    updated_at: datetime = Field(description="When its current version was stored.")


class ScenarioResource(ScenarioSummary):
    scenario: Scenario = Field(description="The scenario itself, as validated.")


class ScenarioPage(BaseModel):
    items: list[ScenarioSummary] = Field(description="This page of scenarios, newest first.")
    total: int = Field(description="How many scenarios there are.")
    offset: int = Field(description="Index of the first item of this page.")
    limit: int = Field(description="Most items on a page.")


class ValidationReport(BaseModel):
    valid: bool = Field(description="Whether the scenario has no problem.")
    problems: list[Problem] = Field(description="Every problem, with field path and id.")


class Health(BaseModel):
    status: Literal["ok", "degraded"] = Field(description="ok when everything below is ok.")
    database: str = Field(description="ok, or what failed.")
    solver: str = Field(description="ok when CP-SAT solved a one-variable model, or what failed.")
