"""Settings: how this installation is configured (from its environment), and checks that the parts work."""

import streamlit as st
from sqlalchemy.engine import make_url

from maturity.domain.roles import Permission
from maturity.services import reminders, status
from maturity.services.signin import check_provider
from maturity.ui import context
from maturity.ui.access import provider_auth, require
from maturity.ui.failures import attempt

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
        f"People sign in with **{settings.oidc.provider_name if settings.oidc else 'the identity provider'}**"
        f" (`{auth.get('server_metadata_url', '')}`), client `{auth.get('client_id', '')}`, returning to `{auth.get('redirect_uri', '')}`."
    )
    st.markdown(
        f"Roles: {'from the `' + settings.role_claim + '` claim when it carries one, else ' if settings.role_claim else ''}"
        "given on *People and roles*."
        + (f" Admins by setting: {', '.join(settings.admin_emails)}." if settings.admin_emails else "")
    )
    st.markdown(
        "The admin secret still signs an admin in (MATURITY_ADMIN_SECRET is set)."
        if settings.admin_secret
        else "The admin secret does not sign anyone in while an identity provider is configured (MATURITY_ADMIN_SECRET is not set)."
    )
    if st.button("Check sign-in with the provider", key="check_provider", icon=":material/fact_check:"):
        with st.spinner("Asking the identity provider…"):
            check = check_provider(auth)
        if check.ok:
            st.success(f"The provider answers and accepts this app's client ({check.issuer}).", icon=":material/verified:")
        else:
            st.error(check.problem, icon=":material/gpp_bad:")
            st.info(check.fix, icon=":material/build:")

st.subheader("Reminder e-mails")
if settings.smtp is None:
    st.markdown("Not configured: set MATURITY_SMTP_HOST and MATURITY_SMTP_FROM for `python -m maturity remind` to send digests.")
else:
    smtp = settings.smtp
    st.markdown(
        f"Sent from `{smtp.sender}` through `{smtp.host}:{smtp.port}` ({smtp.security}"
        + (f", as `{smtp.username}`" if smtp.username else "")
        + f"); a digest lists overdue actions and those due within {settings.remind_days} days."
    )
    with st.form("test_email", border=False):
        to = st.text_input("Send a test e-mail to", value=actor.email, key="test_email_to")
        if st.form_submit_button("Send", icon=":material/send:"):
            with attempt("sending a test e-mail", failed="Not sent") as send:  # MailNotSent says what to check
                reminders.send_test_email(smtp, to)
            if send.ok:
                st.success(f"Sent to {to}. If it does not arrive, check the spam folder and the mail server's log.")

st.subheader("Database and content")
report = status.database_status(url)
st.markdown(f"Database: `{make_url(url).render_as_string(hide_password=True)}` at schema revision `{report.revision}` (latest `{report.head}`).")
folders = ", ".join(f"`{p}`" for p in settings.content_dirs) or "none (set MATURITY_CONTENT_DIR to add your own)"
st.markdown(f"Your organisation's content folders: {folders}.")
st.markdown(f"Phones reach the app at: `{settings.public_url or 'the address the facilitator uses (MATURITY_PUBLIC_URL is not set)'}`.")
st.markdown(f"Leaders' view hides groups under {settings.min_group_size} people (MATURITY_MIN_GROUP_SIZE).")
