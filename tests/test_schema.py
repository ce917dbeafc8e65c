"""Schemathesis against the service's own OpenAPI schema: generated requests for every
operation, and no server error or answer that breaks the schema."""

import json
import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.app import create_app
from api.keys import create_key
from api.settings import Settings
from models import parse_scenario
from models.enums import KeyRole

# One database for the module: schemathesis loads the schema when the module is imported.
_db = Path(tempfile.mkdtemp(prefix="taskforce-schema-")) / "schema.db"
app = create_app(Settings(database_url=f"sqlite:///{_db}", solve_workers=1))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)
TUTORIAL = Path(__file__).resolve().parent.parent / "scenarios" / "tutorial.json"


def _admin_token() -> str:
    """A key of the tutorial's whole province, so that requests get past authentication."""
    with app.state.sessions() as session:
        _, token = create_key(session, unit="hulunbuir", role=KeyRole.ADMIN, name="schemathesis",
                              scenario=parse_scenario(json.loads(TUTORIAL.read_text())))
        session.commit()
    return token


BEARER = f"Bearer {_admin_token()}"


@schema.parametrize()
@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:  # type: ignore[type-arg]
    """Every generated request gets a documented, schema-conform answer, never a 5xx.

    One check is left out: that every schema-valid request is accepted. A scenario's
    references between units, people and cases cannot be said in JSON Schema, so a
    generated scenario is rightly refused with a 422 that lists its problems."""
    # Generated requests carry a made-up key, or none when testing that one is required:
    # the made-up one is swapped for a real key, so the request gets past authentication.
    if case.headers and "Authorization" in case.headers:
        case.headers["Authorization"] = BEARER
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
