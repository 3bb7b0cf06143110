"""Accounts: passwords (argon2id), signed-in sessions, and what apps sign in with.

Only hashes are stored: argon2id for passwords, SHA-256 for random tokens (session cookies,
Google Reader API tokens) and for Fever keys, which are md5("name:api password") by the
Fever protocol and so are looked up, not verified, but are as strong as the generated API
password behind them.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from wirebrief.errors import AccountError, NotFoundError, WeakPasswordError
from wirebrief.storage import audit
from wirebrief.storage.models import ApiToken, User, UserSession
from wirebrief.times import utcnow

SESSION_LIFETIME = timedelta(hours=12)
MIN_PASSWORD_LENGTH = 10
# A new account counts what was published more than this many days earlier as read.
NEW_ACCOUNT_UNREAD_DAYS = 7
# How often an API token's last use is written (not on every request of a sync).
_TOKEN_TOUCH_EVERY = timedelta(minutes=5)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
_hasher = PasswordHasher()
# Verified against when the account does not exist, so a wrong name costs what a wrong
# password costs and sign-in timing does not tell which names exist.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class Role(StrEnum):
    """What an account may do: readers read; admins also manage sources and removals."""

    ADMIN = "admin"
    READER = "reader"


def add_user(
    session: Session,
    name: str,
    password: str,
    *,
    role: Role = Role.READER,
    unread_days: int | None = NEW_ACCOUNT_UNREAD_DAYS,
    actor: str = "cli",
) -> User:
    """Create an account; articles published more than ``unread_days`` ago start read
    (``None``: the whole history starts unread)."""
    check_name(name)
    check_password_strength(password)
    if find_user(session, name) is not None:
        raise AccountError(f"there is already an account {name!r}; pick another name")
    now = utcnow()
    user = User(
        name=name, role=str(role), password_hash=_hasher.hash(password),
        read_before=None if unread_days is None else now - timedelta(days=unread_days),
        created_at=now, updated_at=now,
    )  # fmt: skip
    session.add(user)
    session.flush()
    audit.record(session, actor, "user_added", name, f"role {role}")
    return user


def check_name(name: str) -> None:
    """Raise :class:`AccountError` unless ``name`` is a usable account name."""
    if not _NAME.match(name):
        raise AccountError(
            f"{name!r} is not a usable account name: 1 to 64 letters, digits, '.', '_', '@' "
            "or '-', starting with a letter or digit"
        )


def check_password_strength(password: str) -> None:
    """Raise :class:`WeakPasswordError` for a password that is too short."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPasswordError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


def find_user(session: Session, name: str) -> User | None:
    """The account called ``name`` (exactly), if any."""
    return session.scalars(select(User).where(User.name == name)).first()


def get_user(session: Session, name: str) -> User:
    """The account called ``name``, or :class:`NotFoundError`."""
    user = find_user(session, name)
    if user is None:
        raise NotFoundError(f"there is no account {name!r}; `wirebrief users list` shows them")
    return user


def list_users(session: Session) -> list[User]:
    """Every account, by name."""
    return list(session.scalars(select(User).order_by(User.name)))


def remove_user(session: Session, name: str, actor: str = "cli") -> User:
    """Delete an account with its sessions, tokens, subscriptions, folders and reading
    state; the last admin cannot be removed."""
    user = get_user(session, name)
    if user.role == Role.ADMIN and _admin_count(session) <= 1:
        raise AccountError(
            f"{name!r} is the only admin; make another admin first (users add NAME --admin)"
        )
    session.delete(user)
    session.flush()
    audit.record(session, actor, "user_removed", name)
    return user


def set_role(session: Session, user: User, role: Role, actor: str = "cli") -> None:
    """Make an account an admin or a reader (never the last admin a reader)."""
    if user.role == Role.ADMIN and role != Role.ADMIN and _admin_count(session) <= 1:
        raise AccountError(f"{user.name!r} is the only admin; make another admin first")
    user.role = str(role)
    user.updated_at = utcnow()
    audit.record(session, actor, "user_role", user.name, f"role {role}")


def _admin_count(session: Session) -> int:
    return session.scalar(select(func.count(User.id)).where(User.role == Role.ADMIN)) or 0


def set_password(session: Session, user: User, password: str, actor: str = "cli") -> None:
    """Hash and store a new password; the account's browser sessions end."""
    check_password_strength(password)
    user.password_hash = _hasher.hash(password)
    user.updated_at = utcnow()
    session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    audit.record(session, actor, "password_set", user.name)


def authenticate(session: Session, name: str, password: str) -> User | None:
    """The account when ``password`` is its password (constant time via argon2)."""
    user = find_user(session, name)
    return user if _verify(user.password_hash if user else None, password) else None


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


# ── apps: the API password, Google Reader API tokens and Fever keys ──


def new_api_password(session: Session, user: User, actor: str = "cli") -> str:
    """Generate the account's API password (shown once) for apps; the old one and every
    token issued with it stop working."""
    password = secrets.token_urlsafe(18)
    user.api_password_hash = _hasher.hash(password)
    user.fever_key_hash = _digest(fever_key(user.name, password))
    user.updated_at = utcnow()
    session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    audit.record(session, actor, "api_password_set", user.name)
    return password


def revoke_api_password(session: Session, user: User, actor: str = "cli") -> None:
    """Apps can no longer sign in as this account."""
    user.api_password_hash = user.fever_key_hash = None
    session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    audit.record(session, actor, "api_password_revoked", user.name)


def fever_key(name: str, api_password: str) -> str:
    """The Fever API key of an account: md5 of "name:password", in hex (the protocol's)."""
    return hashlib.md5(f"{name}:{api_password}".encode(), usedforsecurity=False).hexdigest()


def authenticate_app(session: Session, name: str, api_password: str) -> User | None:
    """The account when ``api_password`` is its API password."""
    user = find_user(session, name)
    return user if _verify(user.api_password_hash if user else None, api_password) else None


def user_for_fever_key(session: Session, api_key: str) -> User | None:
    """The account whose Fever key this is."""
    if not api_key:
        return None
    digest = _digest(api_key.strip().lower())
    return session.scalars(select(User).where(User.fever_key_hash == digest)).first()


def issue_api_token(session: Session, user: User, client: str = "") -> str:
    """A new Google Reader API token (ClientLogin's ``Auth``) for the account."""
    token = f"{user.name}/{secrets.token_urlsafe(32)}"
    now = utcnow()
    session.add(
        ApiToken(token_hash=_digest(token), user_id=user.id, client=client[:200], created_at=now,
                 last_used_at=now)
    )  # fmt: skip
    return token


def user_for_api_token(session: Session, token: str | None) -> User | None:
    """The account an API token belongs to (tokens last until the API password changes)."""
    if not token:
        return None
    found = session.get(ApiToken, _digest(token))
    if found is None:
        return None
    now = utcnow()
    if now - found.last_used_at > _TOKEN_TOUCH_EVERY:
        session.execute(
            update(ApiToken).where(ApiToken.token_hash == found.token_hash).values(last_used_at=now)
        )
    return session.get(User, found.user_id)


# ── browser sessions ──


def start_session(session: Session, user: User, now: datetime | None = None) -> tuple[str, str]:
    """A new signed-in session for ``user``: ``(cookie token, CSRF token)``."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = now or utcnow()
    session.execute(delete(UserSession).where(UserSession.expires_at < now))
    session.add(
        UserSession(
            token_hash=_digest(token), user_id=user.id, csrf_token=csrf, created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )  # fmt: skip
    return token, csrf


def find_session(session: Session, token: str | None) -> tuple[UserSession, User] | None:
    """The live session of a cookie token and its account, if any."""
    if not token:
        return None
    found = session.get(UserSession, _digest(token))
    if found is None or found.expires_at < utcnow():
        return None
    user = session.get(User, found.user_id)
    return None if user is None else (found, user)


def end_session(session: Session, token: str | None) -> None:
    """Sign out: the token stops working."""
    if token:
        session.execute(delete(UserSession).where(UserSession.token_hash == _digest(token)))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
