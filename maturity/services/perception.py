"""Room vs organisation: the workshop consensus beside the score a survey gives the same segment."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from maturity.content.catalog import Catalog
from maturity.content.definitions import ModelDefinition
from maturity.domain import trends
from maturity.domain.roles import Permission
from maturity.services import leaders, survey_results
from maturity.services.authz import requires
from maturity.services.surveys import list_campaigns


@dataclass(frozen=True)
class Perception:
    """Per segment: the room's consensus beside the score a survey gave it on the same ladder."""

    rows: pd.DataFrame  # segment_id, room, survey, difference, source
    sources: tuple[str, ...]  # the survey waves used, e.g. "Data literacy check — wave 3 (42 responses)"
    unmapped: int  # segments no survey question maps to


@requires(Permission.VIEW_LEADERS)
def room_vs_survey(
    url: str, catalog: Catalog, model: ModelDefinition, history: pd.DataFrame, filters: leaders.Filters, *, min_size: int
) -> Perception:
    """Room: the mean of the latest consensus per team in scope (small teams protected as on the heatmap).
    Survey: the latest wave in the period with enough responses, of every survey mapped to this model. With
    no team chosen only organisation-wide waves count; with one team chosen, its own wave wins over those.
    """
    latest = trends.protect_small_teams(trends.latest_per_segment(history), min_size, pool=not filters.team_ids).frame
    room = latest.groupby("segment_id")["level"].mean() if not latest.empty else pd.Series(dtype=float)
    scores: dict[str, tuple[float, str]] = {}
    sources = []
    for survey in catalog.surveys.values():
        if survey.model != model.id:
            continue
        waves = [
            c
            for c in list_campaigns(url, survey.id)
            if (not filters.start or (c.closes_on or c.opens_on) >= filters.start)
            and (not filters.end or c.opens_on <= filters.end)
            # organisation-wide waves, or the one chosen team's own: never one team's wave for several
            and (c.team_id is None or (len(filters.team_ids) == 1 and c.team_id in filters.team_ids))
        ]
        waves.sort(key=lambda c: (c.team_id is not None and len(filters.team_ids) == 1, c.opens_on, c.id), reverse=True)
        for wave in waves:
            found = survey_results.segment_scores(url, wave.id, survey, model.level_values[0], model.level_values[-1])
            if found:
                label = f"{wave.title} ({wave.responses} responses)"
                sources.append(label)
                for segment_id, score in found.items():
                    scores.setdefault(segment_id, (score, label))
                break
    rows = [
        {
            "segment_id": s.id,
            "room": float(room[s.id]) if s.id in room.index else None,
            "survey": scores[s.id][0],
            "source": scores[s.id][1],
        }
        for s in model.segments
        if s.id in scores
    ]
    frame = pd.DataFrame(rows, columns=["segment_id", "room", "survey", "source"])
    frame["difference"] = frame["room"] - frame["survey"]
    return Perception(frame, tuple(sources), sum(1 for s in model.segments if s.id not in scores))
