"""Realistic, idempotent demo data: teams, two years of quarterly workshops, surveys, owners, actions."""

from __future__ import annotations

import random
from datetime import date

from maturity.config import get_settings
from maturity.content.catalog import Catalog, load_catalog
from maturity.domain.roles import Permission
from maturity.services import audit
from maturity.services.authz import requires
from maturity.services.demo.common import DemoSummary, describe
from maturity.services.demo.organisation import TEAMS, domains, people, teams
from maturity.services.demo.surveys import survey_waves
from maturity.services.demo.workshops import workshop_history
from maturity.storage.engine import write_session

__all__ = ["DemoSummary", "describe", "load_demo"]


@requires(Permission.MANAGE_CONTENT)
def load_demo(url: str, *, seed: int = 7, today: date | None = None, catalog: Catalog | None = None) -> DemoSummary:
    """Add whatever part of the demo is missing, in one transaction; running it twice adds nothing."""
    catalog = catalog or load_catalog(get_settings().content_sources)
    today = today or date.today()
    rng = random.Random(seed)
    summary = DemoSummary()
    with write_session(url) as session:
        team_set = teams(session, summary)
        owners = people(session, team_set, summary)
        domains(session, team_set, owners, summary)
        for name, _desc, start, pace, model_ids in TEAMS:
            if name not in team_set.new:
                continue
            for model_id in model_ids:
                model = catalog.models.get(model_id)
                if model is None:
                    summary.skipped.append(f"model {model_id} is not in the content library")
                    continue
                workshop_history(session, rng, team_set.all[name], model, start, pace, today, owners, catalog, summary)
        survey_waves(session, rng, catalog, today, summary)
        audit.record(session, entity="demo", verb="loaded", summary=describe(summary))
    return summary
