"""Sign in: with the organisation's identity provider when it is configured, else (or as a fallback) the admin secret."""

import streamlit as st

from maturity.services.access import start_facilitator_session
from maturity.services.signin import ProviderCheck, check_provider
from maturity.ui import context
from maturity.ui.access import follow_pending_redirect, provider_auth, secret_sign_in_allowed, sign_in_with_secret
from maturity.ui.failures import attempt
from maturity.ui.text import md, typed_lines

url = context.database_url()
settings = context.settings()


@st.cache_data(ttl=60, show_spinner="Asking the identity provider…")
def provider_check(auth_items: tuple) -> ProviderCheck:
    # A minute at most: the provider is asked once for everyone opening this page, not once each.
    return check_provider(dict(auth_items))


st.title("Sign in")
auth = provider_auth()
if auth is not None:
    name = settings.oidc.provider_name if settings.oidc else "your organisation's sign-in"
    check = provider_check(tuple(sorted((k, v) for k, v in auth.items() if isinstance(v, str))))
    if check.ok:
        st.caption("Facilitators, leaders, data owners and admins sign in as themselves. Participants do not sign in: they join with the code on the shared screen.")
        if st.button(md("Sign in with {name}", name=name), key="oidc_sign_in", type="primary", icon=":material/login:"):
            st.login()
    else:
        st.error(md("Sign-in with {name} is not working. {problem}", name=name, problem=check.problem), icon=":material/gpp_bad:")
        st.info(typed_lines(check.fix), icon=":material/build:")
        if st.button("Check again", key="oidc_check_again", icon=":material/refresh:"):
            provider_check.clear()
            st.rerun()

if secret_sign_in_allowed():
    if problem := context.announce_admin_secret():
        st.error(typed_lines(problem), icon=":material/database:")
    holder = st.expander("Sign in with the admin secret", icon=":material/key:") if auth is not None else st.container()
    with holder:
        st.caption(
            "The admin secret is the MATURITY_ADMIN_SECRET setting, or the secret printed on the console when the app "
            "first started. It signs you in as an admin."
        )
        with st.form("signin_form", border=False):
            secret = st.text_input("Admin secret", type="password", key="admin_secret")
            submitted = st.form_submit_button("Sign in", type="primary" if auth is None else "secondary")
        if submitted:
            # a read-only or damaged database: say so, and sign nobody in
            with attempt("signing in with the admin secret", failed="Cannot sign you in") as check:
                started = start_facilitator_session(url, settings, secret)
            if check.ok:
                if started is not None:
                    # Signed in here at once; the browser goes to the server for its cookie and comes back home.
                    sign_in_with_secret(started)
                    follow_pending_redirect()
                    st.caption("Signed in. Taking you to the start page…")
                    st.stop()
                st.error("That secret is not right. Check the console where the app started, or MATURITY_ADMIN_SECRET.")
st.page_link("maturity/ui/pages/join.py", label="Came to vote? Join a workshop", icon=":material/how_to_vote:")
