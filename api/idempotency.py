"""Idempotency-Key: a retried request with the same key and body gets the first answer."""

import hashlib
import json
from typing import Annotated, Any

from fastapi import Header

from api.problems import ApiError
from models.validation import problem

IdempotencyKey = Annotated[str | None, Header(
    alias="Idempotency-Key", max_length=200,
    description="A retried request with the same key and body returns the same result.")]


def scoped(key_id: str | None, key: str | None) -> str | None:
    """The stored form of an Idempotency-Key: bound to the API key that sent it. Keys are
    chosen by clients, so two offices may well pick the same one; unscoped, the second
    got the first one's job or commit back (or a 422 telling it the key was taken by
    another request). Hashed, so that it fits the column whatever the key's length."""
    if key is None:
        return None
    return "api:" + hashlib.sha256(f"{key_id or ''}\n{key}".encode()).hexdigest()


def request_digest(data: Any) -> str:
    """A hash of a request's content (JSON-able), to tell a retry from another request."""
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def check_same_request(stored: str, digest: str) -> None:
    """422 when a key comes back with another request than the one it was first used for."""
    if stored != digest:
        raise ApiError(422, "problem.idempotency_reused",
                       [problem("Idempotency-Key", "invalid.idempotency_reused")])
