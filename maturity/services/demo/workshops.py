"""Demo workshop history: quarterly votes, consensus, and the actions that came from the gaps."""

from __future__ import annotations

import json
import secrets
from datetime import date, timedelta

from maturity.content.definitions import ModelDefinition
from maturity.domain.tally import suggested_consensus, summarise
from maturity.services.demo.common import at as _at
from maturity.services.demo.organisation import SMALL_TEAMS
from maturity.storage.tables import (
    Action,
    ActionEvent,
    Consensus,
    ConsensusChange,
    Participant,
    Round,
    Vote,
    Workshop,
    WorkshopSegment,
)

QUARTERS = 8
NICKNAMES = ["Sam", "Priya", "Jonas", "Amara", "Leo", "Mei", "Tomás", "Ines", "Kofi", "Hana", "Olu", "Rita"]

STATUS_COMMENTS = {
    "in_progress": "Kicked off with the owner; first draft under way.",
    "blocked": "Waiting on access to the source system.",
    "done": "Delivered and shown at the team meeting.",
    "dropped": "Superseded by the platform migration.",
}


def _quarter_dates(today: date) -> list[date]:
    """The 12th of each quarter's middle month for the last QUARTERS quarters, oldest first, none in the future."""
    year, quarter = today.year, (today.month - 1) // 3
    if date(year, quarter * 3 + 2, 12) > today:
        year, quarter = (year, quarter - 1) if quarter else (year - 1, 3)
    dates = []
    for _ in range(QUARTERS):
        dates.append(date(year, quarter * 3 + 2, 12))
        year, quarter = (year, quarter - 1) if quarter else (year - 1, 3)
    return dates[::-1]


def workshop_history(session, rng, team, model: ModelDefinition, start, pace, today, people, catalog, summary) -> None:
    low, high = model.level_values[0], model.level_values[-1]
    scale = (high - low) / 5  # paces are written for a 0-5 ladder
    truth = {s.id: low + (start + rng.uniform(-0.8, 0.8)) * scale for s in model.segments}
    lifts: dict[str, list[date]] = {s.id: [] for s in model.segments}  # done actions not yet felt in the room
    room = (3, 4) if team.name in SMALL_TEAMS else (5, 9)
    dates = _quarter_dates(today) if model.id == "data-maturity" else _quarter_dates(today)[1::2]
    for number, held_on in enumerate(dates, start=1):
        rule = "lowest" if team.name == "Finance" and number == 4 else "median"
        workshop = Workshop(
            team_id=team.id,
            model_id=model.id,
            model_version=model.version,
            title=f"{team.name} — {model.name} #{number}",
            held_on=held_on,
            mode=rng.choice(["lock_step", "lock_step", "self_paced", "show_of_hands"]),
            status="closed",
            consensus_rule=rule,
            second_vote=number % 3 == 0,
            anonymous=number % 2 == 1,
            created_at=_at(held_on, 9),
            closed_at=_at(held_on, 12),
        )
        session.add(workshop)
        session.flush()
        voters = [
            Participant(
                workshop_id=workshop.id,
                token=secrets.token_urlsafe(16),
                nickname=None if workshop.anonymous else nick,
                joined_at=_at(held_on, 9),
            )
            for nick in rng.sample(NICKNAMES, rng.randint(*room))
        ]
        session.add_all(voters)
        session.flush()
        for position, segment in enumerate(model.segments):
            # the demo's story: segments move when their actions get done, and drift slowly otherwise
            felt = [day for day in lifts[segment.id] if day <= held_on]
            lifts[segment.id] = [day for day in lifts[segment.id] if day > held_on]
            truth[segment.id] = min(high + 0.4, truth[segment.id] + 0.8 * scale * len(felt))
            session.add(WorkshopSegment(workshop_id=workshop.id, segment_id=segment.id, position=position))
            levels = _vote_round(session, rng, workshop, segment.id, 1, voters, truth[segment.id], low, high, held_on)
            summary.add("votes", len(levels))
            if workshop.second_vote and summarise(levels).disagreement:
                levels = _vote_round(
                    session, rng, workshop, segment.id, 2, voters, truth[segment.id], low, high, held_on, spread=0.45
                )
                summary.add("votes", len(levels))
            level = suggested_consensus(rule, summarise(levels))
            if level is None:
                continue
            target = min(high, level + (1 if rng.random() < 0.7 else 2))
            consensus = Consensus(
                workshop_id=workshop.id,
                segment_id=segment.id,
                level=level,
                target_level=target,
                confidence="low" if summarise(levels).disagreement else rng.choice(["medium", "high"]),
                rule=rule,
                notes=rng.choice(
                    ["", "", "Split between teams that use the warehouse and those that do not.", "Agreed quickly."]
                ),
                recorded_by="Facilitator",
                recorded_at=_at(held_on, 11),
            )
            session.add(consensus)
            session.flush()
            session.add(
                ConsensusChange(
                    consensus_id=consensus.id,
                    level=level,
                    target_level=target,
                    confidence=consensus.confidence,
                    rule=rule,
                    notes=consensus.notes,
                    changed_by="Facilitator",
                    changed_at=consensus.recorded_at,
                )
            )
            if target > level and rng.random() < 0.25:
                done_on = _action(session, rng, team, workshop, model, segment.id, level, people, catalog, today, summary)
                if done_on:
                    lifts[segment.id].append(done_on)
            truth[segment.id] = min(high + 0.4, truth[segment.id] + rng.uniform(0.0, 1.2) * pace * scale)
        summary.add("workshops")


def _vote_round(session, rng, workshop, segment_id, number, voters, truth, low, high, held_on, spread=0.85) -> list[int | None]:
    rnd = Round(
        workshop_id=workshop.id,
        segment_id=segment_id,
        number=number,
        status="revealed",
        opened_at=_at(held_on, 10),
        revealed_at=_at(held_on, 10),
    )
    session.add(rnd)
    session.flush()
    levels = []
    for voter in voters:
        level = None if rng.random() < 0.04 else max(low, min(high, round(rng.gauss(truth, spread))))
        levels.append(level)
        session.add(
            Vote(round_id=rnd.id, participant_id=voter.id, level=level, cast_at=_at(held_on, 10), updated_at=_at(held_on, 10))
        )
    return levels


HORIZON_DAYS = {"urgent": 30, "quick-win": 180, "long-term": 365}


def _action(session, rng, team, workshop, model, segment_id, level, people, catalog, today, summary) -> date | None:
    """Adds an action from the gap, with its history; returns the day it was done, if it was."""
    playbooks = catalog.playbooks_for(model.id, segment_id, level)
    playbook = rng.choice(playbooks) if playbooks else None
    segment = model.segment(segment_id)
    horizon = playbook.horizon.value if playbook else "quick-win"
    created = workshop.held_on + timedelta(days=rng.randint(1, 6))
    due = created + timedelta(days=HORIZON_DAYS[horizon])
    age = (today - created).days
    status = _demo_status(rng, age, HORIZON_DAYS[horizon])
    owner = rng.choice(list(people.values()))
    action = Action(
        title=playbook.title if playbook else f"Improve {segment.name.lower()}",
        description="\n".join(f"- {step}" for step in playbook.steps) if playbook else "",
        team_id=team.id,
        workshop_id=workshop.id,
        model_id=model.id,
        segment_id=segment_id,
        playbook_id=playbook.id if playbook else None,
        owner_id=owner.id,
        due_on=due,
        priority=rng.choice(["high", "medium", "medium", "low"]),
        horizon=horizon,
        status=status,
        created_at=_at(created),
        updated_at=_at(created),
    )
    session.add(action)
    session.flush()
    events = [
        ActionEvent(
            action_id=action.id,
            at=_at(created),
            by="Facilitator",
            changes=json.dumps({"created": [None, action.title]}),
            comment=f"From the gap on {segment.name} in {workshop.title}.",
        )
    ]
    previous, moment = "open", created
    for step in _status_path(status):
        moment = min(today, moment + timedelta(days=rng.randint(7, max(8, age // 3 or 8))))
        events.append(
            ActionEvent(
                action_id=action.id,
                at=_at(moment, 15),
                by=owner.name,
                changes=json.dumps({"status": [previous, step]}),
                comment=STATUS_COMMENTS.get(step, ""),
            )
        )
        previous = step
        action.version += 1
    action.updated_at = events[-1].at
    if status == "done":
        action.completed_at = events[-1].at
    session.add_all(events)
    summary.add("actions")
    return action.completed_at.date() if action.completed_at else None


def _demo_status(rng, age: int, horizon_days: int) -> str:
    if age > horizon_days * 1.2:
        return rng.choices(["done", "dropped", "in_progress", "open"], weights=[70, 10, 12, 8])[0]
    if age > 30:
        return rng.choices(["done", "in_progress", "blocked", "open"], weights=[25, 40, 15, 20])[0]
    return rng.choices(["open", "in_progress"], weights=[70, 30])[0]


def _status_path(status: str) -> list[str]:
    return {
        "open": [],
        "in_progress": ["in_progress"],
        "blocked": ["in_progress", "blocked"],
        "done": ["in_progress", "done"],
        "dropped": ["dropped"],
    }[status]
