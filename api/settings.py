"""Service settings, from environment variables or a .env file (pydantic-settings)."""

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///taskforce.db",
        description="SQLAlchemy URL: an SQLite file by default, or postgresql+psycopg://...",
    )
    max_body_bytes: int = Field(
        default=20 * 1024 * 1024, gt=0, description="Larger request bodies get 413."
    )
    default_language: Literal["zh", "en"] = Field(
        default="en", description="The language of answers to a request whose Accept-Language "
                                  "names neither zh nor en (or that has none); `taskforce serve "
                                  "--lang` sets it.")
    page_size: int = Field(default=50, gt=0, le=500, description="Default page size of lists.")
    job_workers: int = Field(default=1, ge=1, description="Jobs solved at the same time.")
    job_queue: int = Field(default=8, ge=0, description="Jobs that may wait; beyond, 429.")
    retry_after_seconds: int = Field(default=10, ge=1, description="Retry-After on a 429.")
    max_requests: int = Field(
        default=32, ge=1, le=256,
        description="Requests served at once; more wait up to busy_wait_seconds, then get 429. "
                    "The database pool is sized from it.")
    busy_wait_seconds: float = Field(
        default=10, gt=0, le=60, description="How long a request waits for its turn when "
                                             "max_requests are being served.")
    body_read_seconds: float = Field(
        default=30, gt=0, le=600, description="A request body not fully received within this "
                                              "time gets 408; until then it is not counted "
                                              "among max_requests.")
    busy_retry_after_seconds: int = Field(
        default=2, ge=1, le=3600, description="Retry-After on a 429 for a busy service.")
    solve_workers: int = Field(default=2, ge=1, description="CP-SAT threads per solve.")
    solve_slots: int = Field(default=2, ge=1, description="Solves answered within requests.")
    max_seconds: float = Field(default=600, gt=0, description="Longest time limit allowed.")
    require_keys: bool = Field(
        default=True, description="Every request but /health needs an API key; off only for "
                                  "one person on their own machine.")
    audit_secret: SecretStr | None = Field(
        default=None, min_length=16,
        description="Keys the audit trail's HMAC chain; keep it out of the database. Without "
                    "it, an SQLite database gets one generated in a file beside it.")
    server_workers: int = Field(
        default=0, ge=0, le=64, description="On PostgreSQL, queue workers run inside the server "
                                            "too; 0, the default, leaves all solving to "
                                            "`taskforce worker` processes. Ignored on SQLite.")
    worker_heartbeat_seconds: float = Field(
        default=2, gt=0, le=60, description="How often a queue worker tells the database it "
                                            "is alive.")
    worker_stalled_seconds: float = Field(
        default=10, gt=0, le=3600, description="A queue worker silent this long is taken for "
                                               "dead: another retries its tasks.")
    audit_anchor_file: Path | None = Field(
        default=None, description="A file outside the database that every new head of the "
                                  "audit chain is appended to; default beside an SQLite file.")
