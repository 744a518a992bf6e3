"""Join a workshop: type the code from the shared screen (or arrive by its QR code), optionally a name."""

import ipaddress
import secrets

import streamlit as st

from maturity.services.join_guard import Client
from maturity.services.voting import join_workshop
from maturity.ui import context
from maturity.ui.access import PARTICIPANT_PARAM, Visit, last_who
from maturity.ui.failures import attempt
from maturity.ui.navigation import page_path


def this_client() -> Client:
    """This browser session, and the address it connects from when the server can tell (for slowing down guessing)."""
    session = st.session_state.setdefault("join_client", secrets.token_hex(16))
    return Client(session=session, address=client_address())


def client_address() -> str | None:
    """The phone's address: the connection's own, or, for a connection from this machine (our reverse proxy), the
    last address in X-Forwarded-For, the one the proxy saw; those before it are whatever the client wrote there."""
    address = _address(st.context.ip_address)  # Streamlit gives None for 127.0.0.1, but not for ::ffff:127.0.0.1
    if address is None or address.is_loopback:
        address = _address(",".join(st.context.headers.get_all("X-Forwarded-For")).rsplit(",", 1)[-1])
    if address is None:
        return None
    if address.version == 6:  # one IPv6 client can pick any address in its /64: count the /64
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _address(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None
    return getattr(address, "ipv4_mapped", None) or address


url = context.database_url()

st.title("Join a workshop")
st.caption("Type the code shown on the shared screen. Your vote stays private until everyone's votes are revealed together.")

with st.form("join_form", border=False, enter_to_submit=True):
    code = st.text_input(
        "Join code", value=st.query_params.get("join", ""), max_chars=12, key="join_code", placeholder="e.g. ACD347"
    )
    nickname = st.text_input(
        "Your name (optional)",
        max_chars=40,
        key="join_nickname",
        help="Shown to the facilitator only while waiting for votes, if the workshop uses names. Leave empty to stay anonymous.",
    )
    joined = st.form_submit_button("Join", type="primary", width="stretch")

if joined:
    with attempt("joining a workshop", failed="Could not join") as join:
        participant = join_workshop(url, code, nickname, client=this_client())
    if join.ok:
        # The token in the URL keeps this phone's identity when it locks and reconnects.
        st.query_params.clear()
        st.query_params[PARTICIPANT_PARAM] = participant.token
        st.rerun()

# A newcomer who starts the app lands here, the participants' page: the way in for the facilitator stays in sight.
# (Someone signed in and waiting for a role has no sign-in page in their menu: they are signed in already.)
if last_who().visit is Visit.VISITOR:
    st.page_link(page_path("signin"), label="Facilitator sign-in", icon=":material/lock:")
