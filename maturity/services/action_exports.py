"""The governance board's actions as CSV and Excel: text stays text, dates stay dates."""

from __future__ import annotations

from datetime import date

from maturity.services.actions import STATUS_LABELS, ActionView
from maturity.services.exports import to_csv, to_xlsx

EXPORT_COLUMNS = (
    "id",
    "title",
    "status",
    "priority",
    "owner",
    "team",
    "segment",
    "domain",
    "horizon",
    "due_on",
    "overdue",
    "evidence",
    "created",
    "completed",
)


def export_rows(actions: list[ActionView], segment_names: dict[str, str], today: date | None = None) -> list[list]:
    return [
        [
            a.id,
            a.title,
            STATUS_LABELS.get(a.status, a.status),
            a.priority,
            a.owner_name,
            a.team_name,
            segment_names.get(a.segment_id or "", a.segment_id or ""),
            a.domain_name,
            a.horizon or "",
            a.due_on,
            "yes" if a.overdue(today) else "",
            a.evidence_url,
            a.created_at.date(),
            a.completed_at.date() if a.completed_at else None,
        ]  # fmt: skip
        for a in actions
    ]


def export_csv(actions: list[ActionView], segment_names: dict[str, str]) -> bytes:
    rows = [
        [v.isoformat() if isinstance(v, date) else ("" if v is None else v) for v in row]
        for row in export_rows(actions, segment_names)
    ]
    return to_csv(EXPORT_COLUMNS, rows)


def export_xlsx(actions: list[ActionView], segment_names: dict[str, str]) -> bytes:
    return to_xlsx("Actions", EXPORT_COLUMNS, export_rows(actions, segment_names))
