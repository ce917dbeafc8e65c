"""The FastAPI application, made by a factory: no module-level state."""

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from api import problems
from api.admission import Admission, BodyFirst
from api.db import make_engine, migrate, sessions
from api.jobs import Jobs, Runner
from api.queue import uses_queue
from api.queued_jobs import QueuedJobs
from api.routes import (
    audit,
    commitments,
    health,
    jobs,
    messages,
    rosters,
    scenarios,
    swaps,
    sweeps,
    variants,
    whatif,
)
from api.seal import seal_for
from api.settings import Settings
from api.text import refuse_non_text
from api.worker import InServer

CONSOLE = Path(__file__).resolve().parent / "console"


def create_app(settings: Settings | None = None) -> FastAPI:
    """An app on `settings`' database, its schema migrated to the newest version."""
    settings = settings or Settings()
    # Every admitted request and every job worker may hold a connection at once.
    engine = make_engine(settings.database_url, settings.max_requests + settings.job_workers)
    migrate(engine)
    seal = seal_for(settings)
    factory = sessions(engine, seal)
    # On PostgreSQL, `taskforce worker` processes solve (api.worker); on SQLite, this one.
    queued = uses_queue(settings.database_url)
    runner: Jobs = QueuedJobs(factory, settings) if queued else Runner(factory, settings)
    in_server = InServer(settings, settings.server_workers) if queued and settings.server_workers \
        else None

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        runner.start()
        if in_server is not None:
            in_server.start()
        try:
            yield
        finally:
            if in_server is not None:
                in_server.close()
            runner.close()
            engine.dispose()

    # FastAPIOffline serves the Swagger UI assets from its package: /docs works offline.
    app = FastAPIOffline(
        title="taskforce",
        description="Task-force rosters for procuratorates: scenarios, rosters, what-if.",
        version="0.1.0",
        lifespan=lifespan,
        dependencies=[Depends(refuse_non_text)],
        responses=problems.documented(*problems.COMMON_PROBLEMS),
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = factory
    app.state.seal = seal
    app.state.runner = runner
    app.state.queued = queued
    app.state.solve_slots = threading.BoundedSemaphore(settings.solve_slots)
    problems.install(app)
    # Outside the app: a request waiting for its turn holds nothing yet.
    app.add_middleware(Admission, limit=settings.max_requests,
                       wait_seconds=settings.busy_wait_seconds,
                       retry_after_seconds=settings.busy_retry_after_seconds,
                       default_language=settings.default_language)
    # Outermost of all: a request is admitted only once its body has arrived, so that slow
    # uploads (with or without a key) cannot hold the places of everyone else; a body over
    # the limit, declared or streamed, gets 413 here.
    app.add_middleware(BodyFirst, max_bytes=settings.max_body_bytes,
                       timeout_seconds=settings.body_read_seconds,
                       default_language=settings.default_language)
    app.include_router(health.router)
    app.include_router(messages.router)
    app.include_router(scenarios.router)
    app.include_router(jobs.router)
    app.include_router(rosters.router)
    app.include_router(whatif.router)
    app.include_router(variants.router)
    app.include_router(swaps.router)
    app.include_router(sweeps.router)
    app.include_router(commitments.router)
    app.include_router(audit.router)
    # The console: a static page that calls only the API above.
    app.mount("/console", StaticFiles(directory=CONSOLE), name="console")

    @app.get("/", include_in_schema=False)
    def console() -> FileResponse:
        return FileResponse(CONSOLE / "index.html", media_type="text/html; charset=utf-8")

    # Browsers ask for /favicon.ico whatever the page says: the console's icon, as SVG.
    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(CONSOLE / "favicon.svg", media_type="image/svg+xml")

    return app
