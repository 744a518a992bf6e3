"""maturity: entry point. Page config, navigation for the visitor's role, then the page.

Streamlit runs this file as the page script on every rerun (as __main__). `streamlit run app.py`
also imports it once, as the module `app`, and finds the web server at the bottom: this same app
plus the owners' calendar feeds, with sign-in settings taken from MATURITY_OIDC_*, and the handler
that turns an uncaught failure into a logged reference and one sentence.
"""

import streamlit as st

from maturity.logs import configure_logging

configure_logging()  # once per process; later runs find it done

if __name__ == "__main__":
    from maturity.ui.access import EDITOR_NAME, Visit, follow_pending_redirect, sign_out, who_is_here
    from maturity.ui.navigation import pages_for
    from maturity.ui.presentation import PRESENT_PARAM, presenting
    from maturity.ui.text import md

    st.set_page_config(page_title="maturity", page_icon=":material/stairs:", layout="wide")
    who = who_is_here()
    staff = who.visit is Visit.STAFF
    # On a projector in presentation mode the menu is hidden; participants and visitors never get one.
    presenting_now = staff and presenting()
    # every page listed: the facilitator moves between sections mid-workshop, a "View more" fold would hide some
    menu = "sidebar" if (staff or who.visit is Visit.WAITING) and not presenting_now else "hidden"
    page = st.navigation(pages_for(who.visit, who.actor), position=menu, expanded=True)
    if presenting_now and page.url_path != "screen":  # only the shared screen presents; elsewhere bring the menu back
        del st.query_params[PRESENT_PARAM]
        st.rerun()
    follow_pending_redirect()  # after a sign-in or sign-out: the server sets or clears the cookie
    if presenting_now:
        # The name field is not drawn while presenting; keep what was typed for the histories.
        if EDITOR_NAME in st.session_state:
            st.session_state[EDITOR_NAME] = st.session_state[EDITOR_NAME]
    elif staff or who.visit is Visit.WAITING:
        with st.sidebar:
            actor = who.actor
            if actor is not None and actor.how in ("admin secret", "no sign-in"):
                # one shared secret is not a person: the name typed here goes in histories and the audit log
                st.text_input("Your name", key=EDITOR_NAME, placeholder="shown in histories", max_chars=120)
            elif actor is not None:
                st.caption(md("Signed in as **{name}** · {role}", name=actor.name, role=actor.role.label))
            if actor is None or actor.how != "no sign-in":
                st.button("Sign out", key="sign_out", icon=":material/logout:", on_click=sign_out, type="tertiary")
    page.run()
else:
    from maturity.ui.failures import script_error
    from maturity.ui.server import routes, secrets

    # script_error: a failure a page let through is logged with a reference and said in a sentence, never a traceback
    app = st.App(__file__, routes=routes(), secrets=secrets(), on_script_error=script_error)
