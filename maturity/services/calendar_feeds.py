"""Calendar feeds: each owner's private iCalendar link to the due dates of their open actions."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event
from sqlmodel import Session, col, select

from maturity.domain.roles import Permission
from maturity.services import audit
from maturity.services.actions import OPEN_STATUSES, STATUS_LABELS
from maturity.services.authz import NotAllowed, current_actor, requires, token_access
from maturity.services.errors import NotFound
from maturity.storage.engine import read_session, write_session
from maturity.storage.tables import Action, CalendarFeed, Person, Team, utcnow


def calendar_url(public_url: str, token: str) -> str:
    return f"{public_url}/calendar/{token}.ics"


@requires(Permission.EDIT_OWN_ACTIONS, Permission.VIEW_ACTIONS)
def calendar_token(url: str, person_id: int, *, renew: bool = False) -> str:
    """The person's calendar feed token, made on first use; renew=True replaces it and the old link stops working.

    An owner may ask only for their own; NotAllowed otherwise, NotFound for a person not in the registry.
    """
    actor = current_actor()
    if actor is not None and not actor.can(Permission.VIEW_ACTIONS) and actor.person_id != person_id:
        raise NotAllowed(f"{actor.label} may get the calendar link of their own actions only, not someone else's.")
    if not renew:
        with read_session(url) as session:
            feed = session.get(CalendarFeed, person_id)
            if feed is not None:
                return feed.token
    with write_session(url) as session:
        person = session.get(Person, person_id)
        if person is None:
            raise NotFound("That person is not in the data owner registry.")
        return feed_token(session, person, renew=renew)


def feed_token(session: Session, person: Person, *, renew: bool) -> str:
    """Within a caller's transaction: the person's token, made (or replaced) with an audit line."""
    feed = session.get(CalendarFeed, person.id)
    if feed is not None and not renew:
        return feed.token
    token = secrets.token_urlsafe(24)
    if feed is None:
        session.add(CalendarFeed(person_id=person.id, token=token))
        verb, summary = "calendar created", f"Calendar link for {person.name} created."
    else:
        feed.token, feed.created_at = token, utcnow()
        session.add(feed)
        verb, summary = "calendar renewed", f"Calendar link for {person.name} renewed; the old link no longer works."
    audit.record(session, entity="person", entity_id=person.id, verb=verb, summary=summary)  # never the token itself
    session.flush()
    return token


@token_access
def calendar_feed(url: str, token: str, *, public_url: str | None) -> str | None:
    """The iCalendar document of the due dates of the open actions of the person behind `token`; None for an unknown token."""
    if not token or len(token) > 64:
        return None
    with read_session(url) as session:
        person = session.exec(
            select(Person).join(CalendarFeed, col(CalendarFeed.person_id) == Person.id).where(CalendarFeed.token == token)
        ).first()
        if person is None:
            return None
        rows = session.exec(
            select(Action, Team.name)
            .outerjoin(Team, col(Action.team_id) == Team.id)
            .where(Action.owner_id == person.id, col(Action.status).in_(OPEN_STATUSES), col(Action.due_on).is_not(None))
            .order_by(Action.due_on, Action.id)
        ).all()
        return _calendar(person.name, rows, public_url)


def _calendar(name: str, rows, public_url: str | None) -> str:
    calendar = Calendar()
    calendar.add("prodid", "-//maturity//action due dates//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"maturity — {name}'s actions")
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", timedelta(hours=1))
    link = f"{public_url}/my_actions" if public_url else None
    for action, team_name in rows:
        details = [
            f"Team: {team_name or '—'}",
            f"Segment: {action.segment_id or '—'}",
            f"Status: {STATUS_LABELS.get(action.status, action.status)}",
            f"Priority: {action.priority}",
        ]
        if link:
            details.append(f"Update it on 'My actions': {link}")
        event = Event()
        event.add("uid", f"action-{action.id}@maturity")
        event.add("dtstamp", _utc(action.updated_at))
        event.add("last-modified", _utc(action.updated_at))
        event.add("dtstart", action.due_on)
        event.add("dtend", action.due_on + timedelta(days=1))
        event.add("summary", f"Due: {action.title}")
        event.add("description", "\n".join(details))
        event.add("transp", "TRANSPARENT")  # a due date, not a meeting: it does not make the owner look busy
        if link:
            event.add("url", link)
        calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
