"""The audit log: who changed what (consensus, actions, owners, content, roles…), written with the change itself."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from maturity.domain.roles import Permission
from maturity.services.authz import current_actor, requires
from maturity.storage.engine import read_session
from maturity.storage.tables import AuditEvent, utcnow

ENTITIES = {
    "account": "People and roles",
    "action": "Actions",
    "campaign": "Survey campaigns",
    "consensus": "Consensus",
    "content": "Content files",
    "database": "Restores",
    "demo": "Demo data",
    "domain": "Data domains",
    "person": "People (owner registry)",
    "sign-in": "Admin-secret sign-ins",
    "team": "Teams (merged by migration 0007 when two names differed only in case)",
    "workshop": "Workshops",
}
LIMIT = 2000  # a page shows the newest; the export is filtered the same way


@dataclass(frozen=True)
class AuditEventView:
    id: int
    at: datetime
    actor: str
    actor_email: str
    actor_role: str
    entity: str
    entity_id: str
    verb: str
    summary: str
    changes: dict = field(default_factory=dict)  # field -> [old, new]


def record(
    session: Session, *, entity: str, entity_id: object = "", verb: str, summary: str, changes: dict | None = None
) -> None:
    """Add an audit line to the transaction that makes the change, so the two commit or roll back together."""
    actor = current_actor()
    session.add(
        AuditEvent(
            at=utcnow(),
            actor=_who(actor)[:120],
            actor_email=(actor.email if actor else "")[:254],
            actor_role=actor.role.value if actor else "",
            entity=entity,
            entity_id=str(entity_id if entity_id is not None else "")[:64],
            verb=verb,
            summary=summary,
            changes=json.dumps(changes or {}, default=str),
        )
    )


def _who(actor) -> str:
    if actor is None:
        return "nobody signed in"
    # the shared admin secret and the command line are not a person: say so beside the name typed
    return actor.name if actor.how in ("", "identity provider") or actor.how == actor.name else f"{actor.name} ({actor.how})"


@requires(Permission.VIEW_AUDIT)
def list_events(
    url: str,
    *,
    entity: str | None = None,
    actor: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int = LIMIT,
) -> list[AuditEventView]:
    """The newest events first, filtered by kind, by who (name or e-mail, any part) and by day."""
    with read_session(url) as session:
        query = select(AuditEvent)
        if entity:
            query = query.where(AuditEvent.entity == entity)
        if actor and actor.strip():
            pattern = f"%{actor.strip().lower()}%"
            query = query.where(col(AuditEvent.actor).ilike(pattern) | col(AuditEvent.actor_email).ilike(pattern))
        if since:
            query = query.where(AuditEvent.at >= datetime.combine(since, time.min, tzinfo=UTC))
        if until:
            query = query.where(AuditEvent.at < datetime.combine(until + timedelta(days=1), time.min, tzinfo=UTC))
        events = session.exec(query.order_by(col(AuditEvent.id).desc()).limit(limit)).all()
        return [
            AuditEventView(
                e.id, e.at, e.actor, e.actor_email, e.actor_role, e.entity, e.entity_id, e.verb, e.summary, json.loads(e.changes or "{}")
            )
            for e in events
        ]


EXPORT_HEADER = ["When (UTC)", "Who", "E-mail", "Role", "What", "Id", "Change", "Summary", "Fields changed"]


def _rows(events: list[AuditEventView]) -> list[list]:
    return [
        [
            f"{e.at:%Y-%m-%d %H:%M:%S}",
            e.actor,
            e.actor_email,
            e.actor_role,
            ENTITIES.get(e.entity, e.entity),
            e.entity_id,
            e.verb,
            e.summary,
            json.dumps(e.changes, ensure_ascii=False) if e.changes else "",
        ]
        for e in events
    ]


def export_csv(events: list[AuditEventView]) -> bytes:
    from maturity.services.exports import to_csv  # exports reads workshops, which write audit lines: no cycle at import

    return to_csv(EXPORT_HEADER, _rows(events))


def export_xlsx(events: list[AuditEventView]) -> bytes:
    from maturity.services.exports import to_xlsx

    return to_xlsx("Audit log", EXPORT_HEADER, _rows(events))
