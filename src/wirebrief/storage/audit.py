"""The audit log: every removal request, decision, source block and password change."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from wirebrief.storage.models import AuditEntry


def record(session: Session, actor: str, action: str, target: str, detail: str = "") -> None:
    """Append one entry (in the caller's transaction, so it lands with the change it logs)."""
    session.add(AuditEntry(actor=actor, action=action, target=target[:2048], detail=detail))


def latest(session: Session, limit: int = 100) -> list[AuditEntry]:
    """The newest entries first."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    return list(session.scalars(query))
