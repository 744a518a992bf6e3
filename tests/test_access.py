"""Facilitator access and the join address."""

from dataclasses import replace

from maturity.config import get_settings
from maturity.services.access import admin_secret, check_admin_secret, join_base_url, join_link


def test_generated_secret_is_created_once_and_shared(db_url, monkeypatch):
    monkeypatch.delenv("MATURITY_ADMIN_SECRET")
    settings = get_settings()
    first = admin_secret(db_url, settings)
    assert first.source == "generated" and len(first.value) >= 16
    assert admin_secret(db_url, settings) == first  # a second process or a restart gets the same one
    assert check_admin_secret(db_url, settings, f"  {first.value} ")
    assert not check_admin_secret(db_url, settings, first.value[:-1])


def test_environment_secret_wins(db_url):
    settings = get_settings()
    assert admin_secret(db_url, settings).source == "environment"
    assert check_admin_secret(db_url, settings, "test-admin-secret")


def test_join_address_prefers_the_public_url_and_warns_about_localhost():
    settings = get_settings()
    assert join_base_url(settings, "http://localhost:8501/screen?w=1") == ("http://localhost:8501", False)
    assert join_base_url(settings, "http://10.0.0.5:8501/screen") == ("http://10.0.0.5:8501", True)
    public = replace(settings, public_url="https://maturity.example.org")
    assert join_base_url(public, "http://localhost:8501/") == ("https://maturity.example.org", True)
    assert join_link("https://maturity.example.org", "ACD347") == "https://maturity.example.org/?join=ACD347"


def test_facilitator_token_expires_and_follows_the_secret(db_url, monkeypatch):
    from maturity.services.access import facilitator_token, valid_facilitator_token

    settings = get_settings()
    token = facilitator_token(db_url, settings, now=1_000_000)
    assert valid_facilitator_token(db_url, settings, token, now=1_000_000 + 3600)
    assert not valid_facilitator_token(db_url, settings, token, now=1_000_000 + 13 * 3600)  # expired
    expires, signature = token.split(".")
    assert not valid_facilitator_token(db_url, settings, f"{int(expires) + 999}.{signature}", now=1_000_000)  # tampered
    assert not valid_facilitator_token(db_url, settings, "garbage", now=1_000_000)
    assert not valid_facilitator_token(db_url, settings, None)
    other = replace(settings, admin_secret="a-new-secret")
    assert not valid_facilitator_token(db_url, other, token, now=1_000_000)  # a new secret signs everyone out
