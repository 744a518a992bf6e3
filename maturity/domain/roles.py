"""Who may do what: the staff roles, their permissions, and the person acting. Pure rules, no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class StaffRole(StrEnum):
    """A signed-in person's role, strongest first. Participants and respondents are not staff: a link lets them in."""

    ADMIN = "admin"  # settings, content, people and roles, the audit log; and everything a facilitator does
    FACILITATOR = "facilitator"  # runs workshops and surveys, works the gaps, actions and owner registry
    LEADER = "leader"  # the leaders' pages, workshop summaries and reports, read only
    OWNER = "owner"  # sees and updates the actions they own

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Permission(StrEnum):
    RUN_WORKSHOPS = "run workshops"  # create and facilitate them, record consensus
    RUN_SURVEYS = "run surveys"  # campaigns, access codes, results
    VIEW_WORKSHOPS = "see workshop summaries"
    VIEW_LEADERS = "see the leaders' pages"  # trends, heatmap, follow-through, room vs organisation, reports
    VIEW_ACTIONS = "see every action"
    EDIT_ACTIONS = "create and change actions"
    EDIT_OWN_ACTIONS = "update the actions they own"
    VIEW_OWNERS = "see the data owner registry"
    EDIT_OWNERS = "change the data owner registry"
    VIEW_CONTENT = "read the models, surveys and playbooks"
    MANAGE_CONTENT = "add, replace or remove content files and load demo data"
    MANAGE_PEOPLE = "give people access and roles"
    VIEW_AUDIT = "read the audit log"
    MANAGE_SETTINGS = "check the settings (sign-in, e-mail)"


_FACILITATOR = frozenset(
    {
        Permission.RUN_WORKSHOPS,
        Permission.RUN_SURVEYS,
        Permission.VIEW_WORKSHOPS,
        Permission.VIEW_LEADERS,
        Permission.VIEW_ACTIONS,
        Permission.EDIT_ACTIONS,
        Permission.EDIT_OWN_ACTIONS,
        Permission.VIEW_OWNERS,
        Permission.EDIT_OWNERS,
        Permission.VIEW_CONTENT,
    }
)
PERMISSIONS: dict[StaffRole, frozenset[Permission]] = {
    StaffRole.ADMIN: frozenset(Permission),
    StaffRole.FACILITATOR: _FACILITATOR,
    StaffRole.LEADER: frozenset({Permission.VIEW_LEADERS, Permission.VIEW_WORKSHOPS, Permission.VIEW_CONTENT}),
    StaffRole.OWNER: frozenset({Permission.EDIT_OWN_ACTIONS, Permission.VIEW_CONTENT}),
}

# What an owner may change on an action they own; the rest (title, owner, due date…) is the facilitator's.
OWNER_EDITABLE = frozenset({"status", "evidence_url"})


def parse_role(text: str | None) -> StaffRole | None:
    """A role from a stored value or a claim ("Admin", " leader "), or None when it names none."""
    try:
        return StaffRole((text or "").strip().lower())
    except ValueError:
        return None


def strongest(roles: Iterable[StaffRole]) -> StaffRole | None:
    """Of several roles (a provider's groups claim can carry many), the one that may do the most."""
    order = list(StaffRole)
    found = sorted(set(roles), key=order.index)
    return found[0] if found else None


def role_from_claim(claim: object, values: Iterable[tuple[str, str]] = ()) -> StaffRole | None:
    """The role an identity provider's claim gives: a string or a list of strings (groups, app roles).

    With `values` (claim value -> role name) only those values count, compared exactly; without,
    a value counts when it is a role's name, in any case.
    """
    items = [claim] if isinstance(claim, str) else list(claim) if isinstance(claim, list | tuple) else []
    items = [str(item).strip() for item in items if isinstance(item, str | int)]
    mapping = dict(values)
    if mapping:
        return strongest(role for item in items if (role := parse_role(mapping.get(item))) is not None)
    return strongest(role for item in items if (role := parse_role(item)) is not None)


@dataclass(frozen=True)
class Actor:
    """The person behind a call: shown in histories and the audit log, and checked by every service."""

    name: str
    role: StaffRole
    email: str = ""
    person_id: int | None = None  # their entry in the owner registry (same e-mail), for "my actions"
    how: str = ""  # "identity provider", "admin secret", "command line", "no sign-in"
    account_id: int | None = None

    def can(self, permission: Permission) -> bool:
        return permission in PERMISSIONS[self.role]

    @property
    def label(self) -> str:
        return f"{self.name} ({self.email})" if self.email and self.email != self.name else self.name


# The command line and cron act with full rights: whoever can run them can read the database file anyway.
COMMAND_LINE = Actor(name="command line", role=StaffRole.ADMIN, how="command line")
