"""GET /health: is the database reachable and does the solver run?"""

from fastapi import APIRouter
from ortools.sat.python import cp_model as cp
from sqlalchemy import text

from api.deps import SessionDep
from api.reading import InputRoute
from api.schemas import Health

router = APIRouter(route_class=InputRoute, tags=["health"])


def _solver_ready() -> str:
    model = cp.CpModel()
    x = model.new_bool_var("x")
    model.maximize(x)
    status = cp.CpSolver().solve(model)
    return "ok" if status == cp.OPTIMAL else f"CP-SAT answered {status}"


@router.get("/health", response_model=Health)
def health(session: SessionDep) -> Health:
    """Database and solver readiness."""
    try:
        session.execute(text("SELECT 1"))
        database = "ok"
    except Exception as err:
        database = f"unreachable: {type(err).__name__}"
    solver = _solver_ready()
    ok = database == solver == "ok"
    return Health(status="ok" if ok else "degraded", database=database, solver=solver)
