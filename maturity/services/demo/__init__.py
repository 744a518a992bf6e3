"""Realistic, idempotent demo data: teams, two years of quarterly workshops, surveys, owners, actions."""

from __future__ import annotations

import random
from datetime import date

from sqlmodel import select

from maturity.config import get_settings
from maturity.content.catalog import Catalog, load_catalog
from maturity.domain.roles import Permission
from maturity.services import audit
from maturity.services.authz import requires
from maturity.services.demo.common import DemoSummary, describe
from maturity.services.demo.organisation import TEAMS, domains, people, teams
from maturity.services.demo.surveys import WAVES, survey_waves
from maturity.services.demo.workshops import workshop_history
from maturity.storage.engine import write_session
from maturity.storage.tables import Workshop

__all__ = ["DemoSummary", "describe", "load_demo"]


@requires(Permission.MANAGE_CONTENT)
def load_demo(url: str, *, seed: int = 7, today: date | None = None, catalog: Catalog | None = None) -> DemoSummary:
    """Add whatever part of the demo is missing; running it twice adds nothing.

    It commits in small batches (the organisation, then one team's history at a time, then one
    survey's waves at a time), because the app may be serving: one transaction for all of it held
    the write lock for about 1.5 s, and every vote in the room waited. A run cut short is finished
    by the next one.
    """
    catalog = catalog or load_catalog(get_settings().content_sources)
    today = today or date.today()
    rng = random.Random(seed)
    summary = DemoSummary()
    with write_session(url) as session:
        team_set = teams(session, summary)
        owners = people(session, team_set, summary)
        domains(session, team_set, owners, summary)
    for name, _desc, start, pace, model_ids in TEAMS:
        with write_session(url) as session:
            team = team_set.all[name]
            # a demo team without workshops gets its history, also when an earlier run stopped before it
            if session.exec(select(Workshop.id).where(Workshop.team_id == team.id)).first() is not None:
                continue
            for model_id in model_ids:
                model = catalog.models.get(model_id)
                if model is None:
                    summary.skipped.append(f"model {model_id} is not in the content library")
                    continue
                workshop_history(session, rng, team, model, start, pace, today, owners, catalog, summary)
    for survey_plan in WAVES:
        with write_session(url) as session:
            survey_waves(session, rng, catalog, today, summary, [survey_plan])
    if summary.created:
        with write_session(url) as session:
            audit.record(session, entity="demo", verb="loaded", summary=describe(summary))
    return summary
