"""Schemathesis against the service's own OpenAPI schema: generated requests for every
operation, and no server error or answer that breaks the schema."""

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.app import create_app
from api.settings import Settings

# One database for the module: schemathesis loads the schema when the module is imported.
_db = Path(tempfile.mkdtemp(prefix="taskforce-schema-")) / "schema.db"
app = create_app(Settings(database_url=f"sqlite:///{_db}", solve_workers=1))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@schema.parametrize()
@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:  # type: ignore[type-arg]
    """Every generated request gets a documented, schema-conform answer, never a 5xx.

    One check is left out: that every schema-valid request is accepted. A scenario's
    references between units, people and cases cannot be said in JSON Schema, so a
    generated scenario is rightly refused with a 422 that lists its problems."""
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
