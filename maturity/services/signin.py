"""Is sign-in with the identity provider going to work? Asked before anyone is sent there.

When the provider refuses this app's client secret, Streamlit's sign-in callback only logs it and
sends the person back to the start page, signed out and none the wiser. So the sign-in page, the
settings page and `python -m maturity check-sign-in` ask the provider first: its discovery document
must load, and its token endpoint must accept the client. A token request with a made-up code
tells the two apart without signing anyone in (RFC 6749, 5.2): a wrong client gets
`invalid_client`, a right one `invalid_grant`.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass

from maturity.services.authz import before_sign_in

TIMEOUT_S = 5
PROBE_CODE = "maturity-sign-in-check"  # no provider ever issued this code


@dataclass(frozen=True)
class ProviderCheck:
    ok: bool
    problem: str = ""  # what went wrong, in a sentence
    fix: str = ""  # what to do about it
    issuer: str = ""


class _Answer(Exception):
    def __init__(self, problem: str, fix: str):
        super().__init__(problem)
        self.problem, self.fix = problem, fix


@before_sign_in
def check_provider(auth: Mapping) -> ProviderCheck:
    """Check the [auth] settings that st.login will use: the provider answers, and accepts this app's client."""
    metadata_url = str(auth.get("server_metadata_url") or "")
    client_id, client_secret = str(auth.get("client_id") or ""), str(auth.get("client_secret") or "")
    try:
        if not metadata_url or not client_id or not client_secret:
            raise _Answer(
                "Sign-in with the identity provider is only partly configured.",
                "Set MATURITY_OIDC_ISSUER, MATURITY_OIDC_CLIENT_ID and MATURITY_OIDC_CLIENT_SECRET (see the README).",
            )
        metadata = _discovery(metadata_url)
        _client_accepted(metadata, client_id, client_secret, str(auth.get("redirect_uri") or ""))
    except _Answer as answer:
        return ProviderCheck(False, answer.problem, answer.fix)
    return ProviderCheck(True, issuer=str(metadata.get("issuer") or metadata_url))


def _discovery(metadata_url: str) -> dict:
    body, status = _request(urllib.request.Request(metadata_url, headers={"Accept": "application/json"}), metadata_url)
    if status != 200:
        raise _Answer(
            f"The identity provider answered HTTP {status} at {metadata_url}, where its OpenID Connect configuration should be.",
            "Check MATURITY_OIDC_ISSUER: it is the issuer address your provider gives (its /.well-known/openid-configuration must load).",
        )
    try:
        metadata = json.loads(body)
    except ValueError:
        metadata = None
    if not isinstance(metadata, dict) or not metadata.get("token_endpoint") or not metadata.get("authorization_endpoint"):
        raise _Answer(
            f"{metadata_url} is not an OpenID Connect configuration (no authorization and token endpoints).",
            "Check MATURITY_OIDC_ISSUER: it is the issuer address your provider gives.",
        )
    return metadata


def _client_accepted(metadata: dict, client_id: str, client_secret: str, redirect_uri: str) -> None:
    token_url = str(metadata["token_endpoint"])
    form = {"grant_type": "authorization_code", "code": PROBE_CODE, "redirect_uri": redirect_uri}
    headers = {"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"}
    methods = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    if "client_secret_basic" in methods:  # what Authlib, and so st.login, uses by default
        pair = f"{urllib.parse.quote(client_id, safe='')}:{urllib.parse.quote(client_secret, safe='')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    else:
        form |= {"client_id": client_id, "client_secret": client_secret}
    request = urllib.request.Request(token_url, data=urllib.parse.urlencode(form).encode(), headers=headers, method="POST")
    body, status = _request(request, token_url)
    try:
        error = json.loads(body).get("error", "")
    except (ValueError, AttributeError):
        error = ""
    if error == "invalid_client" or (status == 401 and not error):
        raise _Answer(
            f"The identity provider refused this app's client credentials (it answered {error or 'HTTP 401'}): "
            f"the client secret, or the client id {client_id!r}, is not what the provider has registered. "
            "Nobody can sign in with it until this is fixed.",
            "An admin must compare MATURITY_OIDC_CLIENT_ID and MATURITY_OIDC_CLIENT_SECRET with the client registered at "
            "the provider (a client secret may also have expired), then restart the app. Until then, an admin can still "
            "sign in with MATURITY_ADMIN_SECRET.",
        )
    if error == "unauthorized_client":
        raise _Answer(
            f"The identity provider knows the client {client_id!r} but does not let it sign people in with a code "
            "(unauthorized_client).",
            "Allow the authorization code flow for this client at the provider.",
        )


def _request(request: urllib.request.Request, where: str) -> tuple[str, int]:
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310 - the admin's own setting
            return response.read(1_000_000).decode("utf-8", "replace"), response.status
    except urllib.error.HTTPError as error:
        return error.read(100_000).decode("utf-8", "replace"), error.code
    except OSError as error:  # URLError, timeouts, refused connections
        reason = getattr(error, "reason", error)
        raise _Answer(
            f"The identity provider cannot be reached at {where} ({reason}).",
            "Check MATURITY_OIDC_ISSUER, and that this server can reach the provider (network, proxy, firewall). "
            "Until then, an admin can sign in with MATURITY_ADMIN_SECRET.",
        ) from None
