"""What makes the audit trail hard to rewrite from inside the database: a secret that keys
the chain's HMACs, held outside the database, and a witness file outside it that every new
head of the chain is appended to.

A database administrator without the secret cannot forge an entry or re-chain edited ones
(the MACs would not match), and cannot cut the newest entries off and rewind the head
unnoticed (the witness has seen a later head). The secret comes from AUDIT_SECRET; on an
SQLite file without one, the first start writes a new one beside the database (mode 600)
and says where, so that a single user's setup needs no step of its own.
"""

import logging
import os
import secrets
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from api.settings import Settings
from i18n import Language, render
from models.reason import Param, why

log = logging.getLogger("taskforce.audit")

SECRET_SUFFIX = ".audit-secret"
MIN_SECRET_LENGTH = 16
WITNESS_SUFFIX = ".audit-witness"


class SealError(RuntimeError):
    """The audit trail cannot be kept or checked as configured (no secret, say): why, as a
    catalogue code with its parameters (`reason`), in English as the exception's text."""

    def __init__(self, code: str, **params: Param) -> None:
        self.reason = why(code, **params)
        super().__init__(render(self.reason, "en"))


@dataclass(frozen=True)
class Seal:
    """The key of the chain's MACs, and the witness file of its heads (None: no witness,
    only for an in-memory database)."""

    secret: bytes
    witness: Path | None

    def witness_head(self, seq: int, mac: str) -> None:
        """Append a head of the chain to the witness: one write, in append mode, so that
        writers in several processes never interleave within a line."""
        if self.witness is None:
            return
        line = f"{seq} {mac}\n".encode()
        try:
            fd = os.open(self.witness, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError:
            # The change is committed already: failing its request now would only make
            # the client retry something that succeeded. The witness lags, which verify
            # tolerates but cannot vouch for; an operator must see this.
            log.exception("could not append audit head %d to the witness %s", seq,
                          self.witness)

    def witnessed(self) -> "Witnessed | None":
        """Every head the witness has seen, in the order it saw them, every line kept: a
        later line for the same position must not hide an earlier one, or a trail cut back
        and regrown would pass. None when there is no witness file."""
        if self.witness is None or not self.witness.exists():
            return None
        heads: list[tuple[int, str]] = []
        raw = self.witness.read_bytes()
        # Split on newlines only (not str.splitlines): a witness is written one "\n" line
        # per head, and anything else in it is damage, never a separator.
        for number, line in enumerate(raw.split(b"\n"), start=1):
            if not line and number == raw.count(b"\n") + 1:
                break  # the empty remainder after the last newline
            seq, _, mac = line.partition(b" ")
            if not (seq.isdigit() and len(mac) == MAC_LENGTH
                    and all(c in HEX_DIGITS for c in mac)):
                return Witnessed(heads, garbled_line=number)
            heads.append((int(seq), mac.decode("ascii")))
        return Witnessed(heads, garbled_line=None)


MAC_LENGTH = 64  # hex digits of an HMAC-SHA256 or SHA-256 link
HEX_DIGITS = frozenset(b"0123456789abcdef")


@dataclass(frozen=True)
class Witnessed:
    """What the witness file holds: its heads in order, and the first line that is not
    a head (the file was damaged or written over), if any."""

    heads: list[tuple[int, str]]
    garbled_line: int | None


def _database_file(url: str) -> Path | None:
    """The file of an SQLite database URL; None for an in-memory one or another database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    name = parsed.database
    return None if not name or name == ":memory:" else Path(name)


def _has_trail(database: Path, witness: Path | None) -> bool:
    """Whether the SQLite file `database` (or its witness) shows audit entries were kept."""
    if witness is not None and witness.exists() and witness.stat().st_size > 0:
        return True
    if not database.exists():
        return False
    try:
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
            row = db.execute("SELECT count(*) FROM audit_entry").fetchone()
    except sqlite3.Error:
        return False  # no audit table yet: a database not migrated so far
    return bool(row and row[0])


def _generated_secret(path: Path, lang: Language) -> bytes:
    """The secret in `path`, made there (mode 600) the first time. It is written whole to a
    file of its own and then linked into place, so that a second process starting at the
    same moment reads the finished secret, never an empty file."""
    if not path.exists():
        draft = path.with_name(f"{path.name}.{os.getpid()}.draft")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_hex(32) + "\n")
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(draft, path)
            log.warning("%s", render(why("seal.generated", path=str(path)), lang))
        except FileExistsError:
            pass  # another process made it first: use theirs
        finally:
            draft.unlink()
    try:
        secret = path.read_text(encoding="ascii").strip()
    except UnicodeDecodeError:
        raise SealError("seal.foreign", path=str(path)) from None
    if len(secret) < MIN_SECRET_LENGTH:
        raise SealError("seal.short", path=str(path))
    return secret.encode()


def seal_for(settings: Settings, *, create: bool = True, lang: Language = "en") -> Seal:
    """The seal the settings call for. Without AUDIT_SECRET, an SQLite file's secret is
    read from (or, with `create`, made in) a file beside it, which is said in `lang`; any
    other database needs AUDIT_SECRET, and AUDIT_ANCHOR_FILE for the witness."""
    database = _database_file(settings.database_url)
    witness = settings.audit_anchor_file
    if witness is None and database is not None:
        witness = database.with_name(database.name + WITNESS_SUFFIX)
    if settings.audit_secret is not None:
        secret = settings.audit_secret.get_secret_value().encode()
    elif database is not None:
        path = database.with_name(database.name + SECRET_SUFFIX)
        if not create and not path.exists():
            raise SealError("seal.no_secret_file", path=str(path))
        if not path.exists() and _has_trail(database, witness):
            # A new secret would make every entry kept so far read as forged, and would let
            # whoever deleted the old one re-chain the trail: only an operator may decide.
            raise SealError("seal.secret_file_missing", path=str(path))
        secret = _generated_secret(path, lang)
    elif settings.database_url.startswith("sqlite"):
        return Seal(secret=secrets.token_bytes(32), witness=None)  # in memory: gone on exit
    else:
        raise SealError("seal.set_secret")
    if witness is None:
        raise SealError("seal.set_anchor")
    return Seal(secret=secret, witness=witness)
