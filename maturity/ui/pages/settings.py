"""Settings: how this installation is configured (from its environment), and checks that the parts work."""

import streamlit as st
from sqlalchemy.engine import make_url

from maturity.domain.roles import Permission
from maturity.services import reminders, status
from maturity.services.access import SIGN_IN_HOURS, live_facilitator_sessions
from maturity.services.signin import check_provider
from maturity.ui import context
from maturity.ui.access import provider_auth, require, secret_sign_in_allowed, sign_out_everywhere
from maturity.ui.failures import attempt
from maturity.ui.text import Md, code, md, typed_lines

actor = require(Permission.MANAGE_SETTINGS)
url = context.database_url()
settings = context.settings()

st.title("Settings")
st.caption("Settings come from the environment (MATURITY_* variables, see the README) and apply when the app starts.")

st.subheader("Sign-in")
auth = provider_auth()
if not settings.auth:
    st.warning("MATURITY_AUTH=off: nobody signs in and everyone who opens the app is an admin. Only for a laptop nobody else reaches.")
elif auth is None:
    st.markdown("Everyone signs in with the **admin secret**, as an admin. To have people sign in as themselves, configure an identity provider.")
else:
    st.markdown(
        md(
            "People sign in with **{provider}** ({metadata}), client {client}, returning to {redirect}.",
            provider=settings.oidc.provider_name if settings.oidc else "the identity provider",
            metadata=code(auth.get("server_metadata_url", "")),
            client=code(auth.get("client_id", "")),
            redirect=code(auth.get("redirect_uri", "")),
        )
    )
    claim = md("from the {claim} claim when it carries one, else ", claim=code(settings.role_claim)) if settings.role_claim else ""
    admins = md(" Admins by setting: {emails}.", emails=", ".join(settings.admin_emails)) if settings.admin_emails else ""
    st.markdown(md("Roles: {claim}given on *People and roles*.{admins}", claim=claim, admins=admins))
    st.markdown(
        "The admin secret still signs an admin in (MATURITY_ADMIN_SECRET is set)."
        if settings.admin_secret
        else "The admin secret does not sign anyone in while an identity provider is configured (MATURITY_ADMIN_SECRET is not set)."
    )
    if st.button("Check sign-in with the provider", key="check_provider", icon=":material/fact_check:"):
        with st.spinner("Asking the identity provider…"):
            check = check_provider(auth)
        if check.ok:
            st.success(md("The provider answers and accepts this app's client ({issuer}).", issuer=check.issuer), icon=":material/verified:")
        else:
            st.error(typed_lines(check.problem), icon=":material/gpp_bad:")
            st.info(typed_lines(check.fix), icon=":material/build:")

if settings.auth and secret_sign_in_allowed(auth is not None):
    with attempt("counting the sign-ins with the admin secret", failed="Cannot count the sign-ins with the admin secret"):
        live = live_facilitator_sessions(url)
        st.markdown(
            md(
                "Browsers signed in with the admin secret now: **{live}**. Each stays signed in for {hours} hours "
                "at most; signing out ends it on the server, so a copy of its cookie no longer works either. A new admin "
                "secret ends them all.",
                live=live,
                hours=SIGN_IN_HOURS,
            )
        )
    st.button(
        "Sign out everywhere", key="sign_out_everywhere", icon=":material/logout:", on_click=sign_out_everywhere,
        help="End every sign-in with the admin secret, on every browser (this one too, if it signed in with the secret).",
    )  # fmt: skip

st.subheader("Reminder e-mails")
if settings.smtp is None:
    st.markdown("Not configured: set MATURITY_SMTP_HOST and MATURITY_SMTP_FROM for `python -m maturity remind` to send digests.")
else:
    smtp = settings.smtp
    login = md(", as {user}", user=code(smtp.username)) if smtp.username else ""
    st.markdown(
        md(
            "Sent from {sender} through {server} ({security}{login}); a digest lists overdue actions and those due within {days} days.",
            sender=code(smtp.sender),
            server=code(f"{smtp.host}:{smtp.port}"),
            security=smtp.security,
            login=login,
            days=settings.remind_days,
        )
    )
    with st.form("test_email", border=False):
        to = st.text_input("Send a test e-mail to", value=actor.email, key="test_email_to")
        if st.form_submit_button("Send", icon=":material/send:"):
            with attempt("sending a test e-mail", failed="Not sent") as send:  # MailNotSent says what to check
                reminders.send_test_email(smtp, to)
            if send.ok:
                st.success(md("Sent to {to}. If it does not arrive, check the spam folder and the mail server's log.", to=to))

st.subheader("Database and content")
report = status.database_status(url)
database = code(make_url(url).render_as_string(hide_password=True))
st.markdown(md("Database: {db} at schema revision {revision} (latest {head}).", db=database, revision=code(report.revision), head=code(report.head)))
folders = Md(", ").join(code(p) for p in settings.content_dirs) or md("none (set MATURITY_CONTENT_DIR to add your own)")
st.markdown(md("Your organisation's content folders: {folders}.", folders=folders))
phones = code(settings.public_url or "the address the facilitator uses (MATURITY_PUBLIC_URL is not set)")
st.markdown(md("Phones reach the app at: {where}.", where=phones))
st.markdown(md("Leaders' view hides groups under {n} people (MATURITY_MIN_GROUP_SIZE).", n=settings.min_group_size))
