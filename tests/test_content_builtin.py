"""The built-in library: every file valid, every segment covered by playbooks."""

import pytest

from maturity.config import builtin_sources
from maturity.content.catalog import content_files
from maturity.content.definitions import QuestionType


def test_every_builtin_file_validates(builtin_catalog):
    assert builtin_catalog.problems == []
    files = [f for s in builtin_sources() for f in content_files(s.path)]
    assert builtin_catalog.files_read == len(files) >= 50


def test_builtin_models_have_the_promised_structure(builtin_catalog):
    dmm = builtin_catalog.models["data-maturity"]
    assert [s.id for s in dmm.sections] == ["purpose", "people", "method", "tools"]
    assert len(dmm.segments) == 12
    assert [lv.label for lv in dmm.levels] == ["Unaware", "Aware", "Reactive", "Proactive", "Managed", "Optimised"]
    assert dmm.level_values == [0, 1, 2, 3, 4, 5]
    assert {s.section for s in dmm.segments[:3]} == {"purpose"}
    assert "Carruthers" in dmm.source.credit

    health = builtin_catalog.models["data-team-health-check"]
    assert [lv.label for lv in health.levels] == ["Red", "Amber", "Green"]
    assert len(health.segments) == 12 and not health.sections
    for model in (dmm, health):
        for segment in model.segments:
            assert segment.awful and segment.excellent
            assert set(segment.levels) == set(model.level_values), segment.id


@pytest.mark.parametrize("model_id", ["data-maturity", "data-team-health-check"])
def test_every_segment_has_a_low_and_a_middle_playbook(builtin_catalog, model_id):
    model = builtin_catalog.models[model_id]
    low = model.level_values[0]
    middle = model.level_values[len(model.level_values) // 2]
    for segment in model.segments:
        assert builtin_catalog.playbooks_for(model_id, segment.id, low), f"no low-level playbook for {segment.id}"
        assert builtin_catalog.playbooks_for(model_id, segment.id, middle), f"no middle playbook for {segment.id}"


def test_playbooks_give_concrete_steps_and_measures(builtin_catalog):
    for playbook in builtin_catalog.playbooks.values():
        assert len(playbook.steps) >= 3, playbook.id
        assert playbook.measures, playbook.id


def test_builtin_surveys_cover_the_three_themes(builtin_catalog):
    assert set(builtin_catalog.surveys) >= {"data-trust-pulse", "data-personas", "data-literacy"}
    personas = builtin_catalog.surveys["data-personas"]
    persona = next(q for q in personas.questions if q.id == "persona")
    assert {o.value for o in persona.options} >= {"creator", "consumer", "practitioner"}
    trust = builtin_catalog.surveys["data-trust-pulse"]
    assert trust.model == "data-team-health-check"
    assert any(q.segment == "trust-in-numbers" for q in trust.questions)
    for survey in builtin_catalog.surveys.values():
        assert any(q.show_if for q in survey.questions), survey.id
        assert {q.type for q in survey.questions} & {QuestionType.LIKERT, QuestionType.RATING}
