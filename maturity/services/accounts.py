"""People who sign in with the identity provider, and their roles: given by an admin, a claim or a setting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from maturity.domain.names import email_key
from maturity.domain.roles import Actor, Permission, StaffRole, parse_role
from maturity.services import audit
from maturity.services.authz import before_sign_in, requires
from maturity.services.errors import Conflict, InvalidInput, NotFound
from maturity.services.owners import EMAIL
from maturity.storage.engine import read_session, write_session
from maturity.storage.tables import Account, Person, utcnow

NO_ACCESS = ""  # an account nobody has given a role yet: it sees a "waiting for access" page
FROM_APP, FROM_PROVIDER, FROM_SETTING = "app", "provider", "setting"
SOURCE_LABELS = {
    FROM_APP: "given in the app",
    FROM_PROVIDER: "from the identity provider",
    FROM_SETTING: "MATURITY_ADMIN_EMAILS",
    "": "",
}
PROVIDER = "identity provider"


@dataclass(frozen=True)
class AccountView:
    id: int
    email: str
    name: str
    role: str  # "" = no access yet
    role_source: str
    person_id: int | None  # the owner registry's entry with the same e-mail
    created_at: datetime
    last_sign_in_at: datetime | None
    version: int

    @property
    def staff_role(self) -> StaffRole | None:
        return parse_role(self.role)

    def actor(self) -> Actor | None:
        role = self.staff_role
        if role is None:
            return None
        return Actor(self.name or self.email, role, self.email, self.person_id, PROVIDER, self.id)


def _clean_email(email: str) -> str:
    clean = email_key(email)
    if not EMAIL.match(clean):
        raise InvalidInput(f"{email!r} is not an e-mail address." if clean else "Give the person's e-mail address.")
    return clean


def _person_id(session: Session, email: str) -> int | None:
    return session.exec(select(Person.id).where(Person.email == email)).first()


def _view(session: Session, account: Account) -> AccountView:
    return AccountView(
        account.id, account.email, account.name, account.role, account.role_source, _person_id(session, account.email),
        account.created_at, account.last_sign_in_at, account.version,
    )  # fmt: skip


# --------------------------------------------------------------------------- at sign-in


@before_sign_in
def sign_in(
    url: str, *, email: str, name: str = "", claim_role: StaffRole | None = None, claim_used: bool = False,
    admin_emails: tuple[str, ...] = (),
) -> AccountView:  # fmt: skip
    """The account of someone the identity provider vouched for, created on first sign-in; its role brought up to date.

    MATURITY_ADMIN_EMAILS makes an admin; otherwise, when the provider's role claim is configured
    (`claim_used`), it decides, and a role it gave is taken back when the claim no longer carries it
    (offboarding happens at the provider). A role an admin gave in the app stays until an admin changes it.
    """
    clean = _clean_email(email)
    name = " ".join(str(name or "").split())[:120]
    with write_session(url) as session:
        account = session.exec(select(Account).where(Account.email == clean)).first()
        created = account is None
        if account is None:
            account = Account(email=clean, name=name, role=NO_ACCESS, role_source="")
            session.add(account)
        before = (account.role, account.role_source)
        if clean in admin_emails:
            account.role, account.role_source = StaffRole.ADMIN.value, FROM_SETTING
        elif claim_role is not None:
            account.role, account.role_source = claim_role.value, FROM_PROVIDER
        elif account.role_source in (FROM_PROVIDER, FROM_SETTING) and (claim_used or account.role_source == FROM_SETTING):
            account.role, account.role_source = NO_ACCESS, ""
        now = utcnow()
        account.name = name or account.name
        account.last_sign_in_at = now
        if (account.role, account.role_source) != before:
            account.version += 1
            account.updated_at = now
        session.add(account)
        session.flush()
        who = f"{account.name} <{clean}>" if account.name else clean
        if created:
            audit.record(
                session, entity="account", entity_id=account.id, verb="created",
                summary=f"{who} signed in for the first time" + (f" as {account.role}" if account.role else "; no role yet"),
                changes={"role": [None, account.role]},
            )  # fmt: skip
        elif account.role != before[0]:
            audit.record(
                session, entity="account", entity_id=account.id, verb="role changed",
                summary=f"{who}: role {before[0] or 'none'} → {account.role or 'none'} ({SOURCE_LABELS[account.role_source or before[1]]})",
                changes={"role": [before[0], account.role]},
            )  # fmt: skip
        return _view(session, account)


@before_sign_in
def current_account(url: str, account_id: int) -> AccountView | None:
    """The account as it is now (an admin may have changed its role since the page was opened)."""
    with read_session(url) as session:
        account = session.get(Account, account_id)
        return _view(session, account) if account is not None else None


# --------------------------------------------------------------------------- the admin's page


@requires(Permission.MANAGE_PEOPLE)
def list_accounts(url: str) -> list[AccountView]:
    """Everyone who signed in or was given access; those waiting for a role first."""
    with read_session(url) as session:
        accounts = session.exec(select(Account).order_by(col(Account.role) != NO_ACCESS, Account.email)).all()
        return [_view(session, a) for a in accounts]


@requires(Permission.MANAGE_PEOPLE)
def add_account(url: str, *, email: str, role: str, name: str = "") -> AccountView:
    """Give someone a role before they first sign in; InvalidInput if they already have an account."""
    clean = _clean_email(email)
    staff_role = _role(role)
    with write_session(url) as session:
        if session.exec(select(Account).where(Account.email == clean)).first() is not None:
            raise InvalidInput(f"{clean} already has an account: change its role in the list instead.")
        account = Account(email=clean, name=" ".join(name.split())[:120], role=staff_role, role_source=FROM_APP if staff_role else "")
        session.add(account)
        session.flush()
        audit.record(
            session, entity="account", entity_id=account.id, verb="created",
            summary=f"{clean} given access as {staff_role or 'nothing yet'}", changes={"role": [None, staff_role]},
        )  # fmt: skip
        return _view(session, account)


@requires(Permission.MANAGE_PEOPLE)
def set_role(url: str, account_id: int, role: str, *, expected_version: int) -> AccountView:
    """Change someone's role ("" takes their access away); Conflict if another admin changed it first."""
    staff_role = _role(role)
    with write_session(url) as session:
        account = session.get(Account, account_id)
        if account is None:
            raise NotFound("That account does not exist any more.")
        if account.version != expected_version:
            raise Conflict(
                f"Another admin changed {account.email} while you were looking (it is now {account.role or 'no access'}); "
                "nothing was saved. Check the list, then change it again."
            )
        if account.role == staff_role:
            raise InvalidInput(f"{account.email} is already {staff_role or 'without access'}.")
        if account.role == StaffRole.ADMIN.value and staff_role != StaffRole.ADMIN.value:
            admins = session.exec(select(func.count()).select_from(Account).where(Account.role == StaffRole.ADMIN.value)).one()
            if admins <= 1:
                raise InvalidInput(f"{account.email} is the only admin account: make someone else an admin first.")
        before = account.role
        account.role, account.role_source = staff_role, FROM_APP if staff_role else ""
        account.version += 1
        account.updated_at = utcnow()
        session.add(account)
        session.flush()
        audit.record(
            session, entity="account", entity_id=account.id, verb="role changed",
            summary=f"{account.email}: role {before or 'none'} → {staff_role or 'none'}", changes={"role": [before, staff_role]},
        )  # fmt: skip
        return _view(session, account)


def _role(role: str) -> str:
    if not role:
        return NO_ACCESS
    parsed = parse_role(role)
    if parsed is None:
        raise InvalidInput(f"{role!r} is not a role; choose one of {', '.join(r.value for r in StaffRole)}, or no access.")
    return parsed.value
