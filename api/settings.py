"""Service settings, from environment variables or a .env file (pydantic-settings)."""

from pydantic import Field
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
    page_size: int = Field(default=50, gt=0, le=500, description="Default page size of lists.")
