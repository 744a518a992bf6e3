"""Each workshop's level ladder from its model, for the migrations that added and repaired the ladder columns.

Migration 0003 gave every existing workshop the 0..5 ladder, so a traffic-light health check (1..3)
accepted a consensus of 5. The ladder belongs to the model: the built-in ones and the
organisation's (MATURITY_CONTENT_DIR), as the app would load them.
"""

from __future__ import annotations

import sys

from sqlalchemy import Connection, text

OLD_DEFAULT = (0, 5)  # what 0003 wrote into every workshop


def model_ladders() -> dict[str, tuple[int, int]]:
    """(lowest, highest) level of every maturity model the app can load."""
    from maturity.config import SettingError, builtin_sources, get_settings
    from maturity.content.catalog import load_catalog

    try:
        sources = get_settings().content_sources
    except SettingError:
        sources = builtin_sources()
    catalog = load_catalog(sources)
    return {model_id: (model.level_values[0], model.level_values[-1]) for model_id, model in catalog.models.items()}


def fit_ladders(connection: Connection) -> int:
    """Give each workshop still on the 0..5 default its model's ladder, when every level recorded for it fits; returns how many."""
    rows = connection.execute(
        text("SELECT id, model_id FROM workshop WHERE level_min = :low AND level_max = :high"),
        {"low": OLD_DEFAULT[0], "high": OLD_DEFAULT[1]},
    ).all()
    if not rows:
        return 0  # a new database, or one already fitted: no need to read the content
    ladders = model_ladders()
    fixed = 0
    for workshop_id, model_id in rows:
        ladder = ladders.get(model_id)
        if ladder is None or ladder == OLD_DEFAULT:
            if ladder is None:
                print(f"migration: workshop {workshop_id} uses model {model_id!r}, which is not in the content: its ladder stays 0-5", file=sys.stderr)
            continue
        low, high = connection.execute(
            text(
                "SELECT MIN(level), MAX(level) FROM ("
                " SELECT v.level AS level FROM vote v JOIN round r ON r.id = v.round_id WHERE r.workshop_id = :w AND v.level IS NOT NULL"
                " UNION ALL SELECT level FROM consensus WHERE workshop_id = :w"
                " UNION ALL SELECT target_level FROM consensus WHERE workshop_id = :w AND target_level IS NOT NULL"
                " UNION ALL SELECT h.level FROM handcount h JOIN round r ON r.id = h.round_id WHERE r.workshop_id = :w AND h.count > 0"
                ") AS recorded"
            ),
            {"w": workshop_id},
        ).one()
        if low is not None and not (ladder[0] <= low and high <= ladder[1]):
            print(f"migration: workshop {workshop_id} has levels {low}-{high} outside its model's ladder {ladder}: left at 0-5", file=sys.stderr)
            continue
        connection.execute(
            text("UPDATE workshop SET level_min = :low, level_max = :high WHERE id = :w"), {"low": ladder[0], "high": ladder[1], "w": workshop_id}
        )
        fixed += 1
    return fixed
