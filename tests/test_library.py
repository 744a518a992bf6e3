"""Playbook search and the content fingerprint that reloads the library."""

import time

from maturity.content.catalog import Source
from maturity.services.library import content_fingerprint, search_playbooks


def test_search_by_words_and_filters(builtin_catalog):
    everything = search_playbooks(builtin_catalog)
    assert len(everything) == len(builtin_catalog.playbooks)
    privacy = search_playbooks(builtin_catalog, "personal data", model_id="data-team-health-check")
    assert privacy and all(p.applies_to.model == "data-team-health-check" for p in privacy)
    assert all("personal" in (p.title + p.summary + " ".join(p.steps) + p.outcome).lower() for p in privacy)
    red = search_playbooks(builtin_catalog, model_id="data-team-health-check", segment_id="privacy-pii", level=1)
    assert [p.id for p in red] == ["hc-privacy-pii-red"]
    assert all(p.horizon.value == "urgent" for p in search_playbooks(builtin_catalog, horizon="urgent"))
    assert search_playbooks(builtin_catalog, "zzzz-no-such-word") == []


def test_fingerprint_changes_when_a_file_changes(tmp_path):
    sources = [Source(tmp_path, "organisation")]
    empty = content_fingerprint(sources)
    (tmp_path / "a.yaml").write_text("kind: model\n")
    added = content_fingerprint(sources)
    assert added != empty
    time.sleep(0.01)
    (tmp_path / "a.yaml").write_text("kind: survey\nid: x\n")
    assert content_fingerprint(sources) != added
