"""The admin password (argon2id) and signed-in sessions (only token hashes are stored)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from wirebrief.errors import WirebriefError
from wirebrief.storage import audit
from wirebrief.storage.models import AdminCredential, AdminSession
from wirebrief.storage.types import utcnow

SESSION_LIFETIME = timedelta(hours=12)
MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()


class WeakPasswordError(WirebriefError):
    """The admin password is too short."""


def set_password(session: Session, password: str, actor: str = "cli") -> None:
    """Hash and store the admin password; every existing admin session ends."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPasswordError(
            f"the admin password needs at least {MIN_PASSWORD_LENGTH} characters"
        )
    credential = session.scalars(select(AdminCredential)).first()
    if credential is None:
        credential = AdminCredential(password_hash="")
        session.add(credential)
    credential.password_hash = _hasher.hash(password)
    credential.updated_at = utcnow()
    session.execute(delete(AdminSession))
    audit.record(session, actor, "password_set", "admin")


def has_password(session: Session) -> bool:
    """Whether an admin password was ever set."""
    return session.scalars(select(AdminCredential.id)).first() is not None


def check_password(session: Session, password: str) -> bool:
    """Whether ``password`` is the admin password (constant-time, via argon2)."""
    credential = session.scalars(select(AdminCredential)).first()
    if credential is None:
        return False
    try:
        return _hasher.verify(credential.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def start_session(session: Session) -> tuple[str, str]:
    """A new session: ``(cookie token, CSRF token)``."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = utcnow()
    session.execute(delete(AdminSession).where(AdminSession.expires_at < now))
    session.add(
        AdminSession(
            token_hash=_digest(token), csrf_token=csrf, created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )  # fmt: skip
    return token, csrf


def find_session(session: Session, token: str | None) -> AdminSession | None:
    """The live session of a cookie token, if any."""
    if not token:
        return None
    found = session.get(AdminSession, _digest(token))
    if found is None or found.expires_at < utcnow():
        return None
    return found


def end_session(session: Session, token: str | None) -> None:
    """Sign out: the token stops working."""
    if token:
        session.execute(delete(AdminSession).where(AdminSession.token_hash == _digest(token)))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
