"""Broken content: each mistake gets its own message naming the file, the line and the field."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest

from maturity.cli import main
from maturity.config import builtin_sources, get_settings
from maturity.content.catalog import Source, load_catalog

MODEL = """\
kind: model
id: tiny
name: Tiny model
version: "1"
description: A model for tests.
source:
  credit: The tests.
  licence: Apache-2.0
levels:
  - value: 1
    label: Red
  - value: 2
    label: Amber
  - value: 3
    label: Green
segments:
  - id: quality
    name: Quality
    description: How good the data is.
    awful: Wrong every week.
    excellent: Tested and trusted.
  - id: ownership
    name: Ownership
    description: Who owns the data.
    awful: Nobody.
    excellent: Everyone knows.
"""

PLAYBOOK = """\
kind: playbook
id: tiny-quality
title: Test the data
summary: Add tests.
applies_to:
  model: tiny
  segments: [quality]
  levels: {min: 1, max: 2}
horizon: urgent
owner_role: Data lead
effort: small
steps: [Write one test.]
outcome: Fewer surprises.
measures: [Incidents per month.]
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def validate(capsys, *paths: Path) -> tuple[int, list[str]]:
    code = main(["validate", *map(str, paths)])
    lines = [line for line in capsys.readouterr().out.splitlines() if line]
    return code, lines


def test_valid_files_pass(tmp_path, capsys):
    model, playbook = write(tmp_path, "tiny.yaml", MODEL), write(tmp_path, "pb.yaml", PLAYBOOK)
    assert validate(capsys, model, playbook) == (0, [])


def test_yaml_syntax_error_names_file_and_line(tmp_path, capsys):
    broken = write(tmp_path, "broken.yaml", MODEL.replace("name: Tiny model", "name: [Tiny model"))
    code, lines = validate(capsys, broken)
    assert code == 1 and len(lines) == 1
    assert lines[0].startswith(f"{broken}:")
    assert "YAML syntax error" in lines[0]


def test_value_with_colon_gets_a_quoting_hint(tmp_path, capsys):
    broken = write(tmp_path, "colon.yaml", MODEL.replace("description: A model for tests.", "description: Note: a colon"))
    code, lines = validate(capsys, broken)
    assert code == 1 and "must be quoted" in lines[0] and f"{broken}:5:" in lines[0]


def test_unknown_key_is_named_with_its_line(tmp_path, capsys):
    broken = write(tmp_path, "typo.yaml", MODEL.replace("    excellent: Everyone knows.", "    exellent: Everyone knows."))
    code, lines = validate(capsys, broken)
    assert code == 1
    assert any(f"{broken}:26: segments[1].exellent: unknown key 'exellent'" in line for line in lines)


def test_duplicate_segment_id(tmp_path, capsys):
    broken = write(tmp_path, "dup.yaml", MODEL.replace("id: ownership", "id: quality"))
    code, lines = validate(capsys, broken)
    assert code == 1
    assert lines == [f"{broken}:22: segments[1].id: segment id 'quality' is used twice; every segment id must be unique"]


def test_playbook_naming_a_missing_segment(tmp_path, capsys):
    model = write(tmp_path, "tiny.yaml", MODEL)
    broken = write(tmp_path, "pb.yaml", PLAYBOOK.replace("segments: [quality]", "segments: [qualty]"))
    code, lines = validate(capsys, model, broken)
    assert code == 1
    assert lines == [
        f"{broken}:7: applies_to.segments[0]: segment 'qualty' does not exist in model 'tiny' (segments: quality, ownership)"
    ]


def test_playbook_level_outside_the_ladder(tmp_path, capsys):
    model = write(tmp_path, "tiny.yaml", MODEL)
    broken = write(tmp_path, "pb.yaml", PLAYBOOK.replace("{min: 1, max: 2}", "{min: 0, max: 2}"))
    code, lines = validate(capsys, model, broken)
    assert code == 1
    assert lines == [f"{broken}:8: applies_to.levels.min: level 0 is not on the ladder of model 'tiny' (1-3)"]


def test_playbook_for_a_missing_model(tmp_path, capsys):
    broken = write(tmp_path, "pb.yaml", PLAYBOOK)
    code, lines = validate(capsys, broken)
    assert code == 1 and "model 'tiny' does not exist" in lines[0] and lines[0].startswith(f"{broken}:6:")


def test_impossible_level_range(tmp_path, capsys):
    model = write(tmp_path, "tiny.yaml", MODEL)
    broken = write(tmp_path, "pb.yaml", PLAYBOOK.replace("{min: 1, max: 2}", "{min: 3, max: 1}"))
    code, lines = validate(capsys, model, broken)
    assert code == 1 and "min level 3 is above max level 1" in lines[0]


def test_segment_describing_a_level_off_the_ladder(tmp_path, capsys):
    text = MODEL.replace(
        "    excellent: Tested and trusted.\n", "    excellent: Tested and trusted.\n    levels:\n      4: Beyond green.\n"
    )
    code, lines = validate(capsys, write(tmp_path, "m.yaml", text))
    assert code == 1 and "segment 'quality' describes level 4, which is not on the ladder (1-3)" in lines[0]


def test_unquoted_no_label_says_quote_it(tmp_path, capsys):
    broken = write(tmp_path, "no.yaml", MODEL.replace("label: Amber", "label: No"))
    code, lines = validate(capsys, broken)
    assert code == 1
    assert lines == [
        f'{broken}:13: levels[1].label: YAML read `No` as the boolean false (yes/no/on/off are booleans in YAML); quote it: "No"'
    ]


def test_unquoted_version_number_says_quote_it(tmp_path, capsys):
    broken = write(tmp_path, "v.yaml", MODEL.replace('version: "1"', "version: 1.0"))
    code, lines = validate(capsys, broken)
    assert code == 1 and 'YAML read `1.0` as a number; quote it: "1.0"' in lines[0]


def test_duplicate_yaml_key_is_not_silently_dropped(tmp_path, capsys):
    broken = write(tmp_path, "twice.yaml", MODEL.replace("name: Tiny model\n", "name: Tiny model\nname: Other\n"))
    code, lines = validate(capsys, broken)
    assert code == 1 and lines == [f"{broken}:4: name: key 'name' appears twice here; YAML would silently keep only the last one"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("value: 3", "value: 4"), "level values must go up by one with no gaps"),
        (("kind: model", "kind: modle"), "unknown kind 'modle'; it must be one of: model, survey, playbook"),
        (("id: tiny", "id: Tiny Model"), "'Tiny Model' is not a valid id"),
        (("    label: Green", "    label: Green\n    colour: red"), 'is not a colour; write it as "#rrggbb"'),
        (("  licence: Apache-2.0\n", ""), "required key 'licence' is missing"),
    ],
)
def test_model_mistakes(tmp_path, capsys, change, message):
    code, lines = validate(capsys, write(tmp_path, "m.yaml", MODEL.replace(*change, 1)))
    assert code == 1 and any(message in line for line in lines), lines


def test_empty_and_non_mapping_files(tmp_path, capsys):
    empty, listing = write(tmp_path, "empty.yaml", ""), write(tmp_path, "list.yaml", "- a\n- b\n")
    code, lines = validate(capsys, empty, listing)
    assert code == 1
    assert any("file is empty" in line for line in lines) and any("must be a mapping" in line for line in lines)


def test_survey_show_if_must_look_back_to_a_real_option(tmp_path, capsys):
    survey = """\
    kind: survey
    id: s
    title: S
    version: "1"
    intro: Hi.
    sections:
      - id: one
        title: One
        questions:
          - id: role
            type: single_choice
            text: Role?
            options: [Creator, Consumer]
          - id: why
            type: text
            text: Why?
            show_if: {question: role, equals: builder}
    """
    code, lines = validate(capsys, write(tmp_path, "s.yaml", survey))
    path = tmp_path / "s.yaml"
    assert lines == [
        f"{path}:17: sections[0].questions[1].show_if.equals: 'builder' is not an option of 'role' (options: creator, consumer)"
    ]
    forward = survey.replace("show_if: {question: role, equals: builder}", "show_if: {question: later, answered: true}")
    code, lines = validate(capsys, write(tmp_path, "s.yaml", forward))
    assert (
        code == 1
        and lines[0].startswith(f"{path}:17: sections[0].questions[1].show_if.question:")
        and "show_if can only look back" in lines[0]
    )


def test_a_missing_path_is_reported(tmp_path, capsys):
    code, lines = validate(capsys, tmp_path / "nope.yaml")
    assert code == 1 and lines == [f"{tmp_path / 'nope.yaml'}: no such file or folder"]


def test_one_broken_file_does_not_stop_the_rest(tmp_path):
    write(tmp_path, "good.yaml", MODEL)
    write(tmp_path, "bad.yaml", MODEL.replace("id: tiny", "id: other").replace("label: Amber", "label: Yes"))
    catalog = load_catalog([*builtin_sources(), Source(tmp_path, "organisation")])
    assert "tiny" in catalog.models and "other" not in catalog.models
    assert "data-maturity" in catalog.models and len(catalog.playbooks) >= 48
    assert [p.path.endswith("bad.yaml") for p in catalog.problems] == [True]


def test_organisation_content_replaces_and_adds_by_id(tmp_path):
    replaced = MODEL.replace("id: tiny", "id: data-team-health-check").replace("name: Tiny model", "name: Our health check")
    write(tmp_path, "models/health.yaml", replaced)
    write(tmp_path, "models/tiny.yaml", MODEL)
    catalog = load_catalog([*builtin_sources(), Source(tmp_path, "organisation")])
    assert catalog.models["data-team-health-check"].name == "Our health check"
    assert catalog.origins[("model", "data-team-health-check")].endswith("health.yaml")
    assert "tiny" in catalog.models and "data-maturity" in catalog.models
    # Built-in playbooks for segments our replacement lacks are reported, not silently kept.
    assert not any(p.applies_to.model == "data-team-health-check" for p in catalog.playbooks.values())
    assert any("does not exist in model 'data-team-health-check'" in p.message for p in catalog.problems)


def test_duplicate_ids_within_one_folder(tmp_path):
    write(tmp_path, "a.yaml", MODEL)
    write(tmp_path, "b.yaml", MODEL)
    catalog = load_catalog([Source(tmp_path, "organisation")])
    assert len(catalog.models) == 1
    assert len(catalog.problems) == 1 and "already used by" in catalog.problems[0].message


def test_content_dir_from_environment_is_validated(tmp_path, monkeypatch, capsys):
    write(tmp_path, "bad.yaml", MODEL.replace("label: Amber", "label: off"))
    monkeypatch.setenv("MATURITY_CONTENT_DIR", str(tmp_path))
    code, lines = validate(capsys)
    assert code == 1 and len(lines) == 1 and 'quote it: "off"' in lines[0]


def test_yaml_aliases_are_refused_before_they_can_expand(tmp_path, capsys):
    recursive = write(tmp_path, "loop.yaml", MODEL.replace("name: Tiny model", "name: &a [*a]"))
    laughs = "kind: model\na: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(9)
    )
    bomb = write(tmp_path, "bomb.yaml", laughs)
    code, lines = validate(capsys, recursive, bomb)
    assert code == 1 and len(lines) == 2
    assert all("anchors and aliases" in line for line in lines)
    assert lines[0].startswith(f"{bomb}:3:") or lines[1].startswith(f"{bomb}:3:")


@pytest.mark.parametrize(
    ("change", "where", "hint"),
    [
        (("value: 1", "value: yes"), "levels[0].value", "YAML read `yes` as the boolean true"),
        (("label: Red", "label: on"), "levels[0].label", 'quote it: "on"'),
    ],
)
def test_booleans_never_become_numbers_or_labels(tmp_path, capsys, change, where, hint):
    code, lines = validate(capsys, write(tmp_path, "m.yaml", MODEL.replace(*change, 1)))
    assert code == 1 and where in lines[0] and hint in lines[0]


def test_playbook_level_written_as_yes_is_refused(tmp_path, capsys):
    model = write(tmp_path, "tiny.yaml", MODEL)
    broken = write(tmp_path, "pb.yaml", PLAYBOOK.replace("{min: 1, max: 2}", "{min: yes, max: 2}"))
    code, lines = validate(capsys, model, broken)
    assert code == 1 and lines == [
        f'{broken}:8: applies_to.levels.min: YAML read `yes` as the boolean true (yes/no/on/off are booleans in YAML); quote it: "yes"'
    ]


def test_every_cross_field_problem_is_reported_with_its_line(tmp_path, capsys):
    text = MODEL.replace(
        "    excellent: Tested and trusted.\n", "    excellent: Tested and trusted.\n    levels:\n      7: Beyond.\n"
    )
    text = text.replace("label: Green", "label: Red")
    broken = write(tmp_path, "m.yaml", text)
    code, lines = validate(capsys, broken)
    assert code == 1
    assert lines == [
        f"{broken}:15: levels[2].label: level label 'Red' is used twice; every level label must be unique",
        f"{broken}:23: segments[0].levels[7]: segment 'quality' describes level 7, which is not on the ladder (1-3)",
    ]


SURVEY = """\
kind: survey
id: s
title: S
version: "1"
intro: Hi.
sections:
  - id: one
    title: One
    questions:
      - id: trust
        type: likert
        scale: agreement
        text: I trust the numbers.
      - id: why
        type: text
        text: Why?
        show_if: {question: trust, equals: 4}
"""


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("equals: 4", "equals: 9"), "answers to 'trust' are a scale position from 1 to 5, so 9 can never match"),
        (("equals: 4", "equals: no"), "YAML read `no` as the boolean false"),
        (("equals: 4", "any_of: []"), "List should have at least 1 item"),
        (("equals: 4", "equals: 4, answered: true"), "show_if needs exactly one of: equals, any_of, answered"),
        (("scale: agreement", "scale: agreement\n        min: 1e400"), "Input should be a finite number"),
        (("type: text", "type: single_choice\n        options: [A/B, A-B]"), "options 'A/B' and 'A-B' both have the value 'a-b'"),
        (("type: text", "type: single_choice\n        options: [1, 2]"), 'option 1 is not text: quote it ("1")'),
        (("scale: agreement", "scale: agreeement"), "scale 'agreeement' does not exist"),
    ],
)
def test_survey_mistakes(tmp_path, capsys, change, message):
    code, lines = validate(capsys, write(tmp_path, "s.yaml", SURVEY.replace(*change, 1)))
    assert code == 1 and any(message in line for line in lines), lines
    assert all(line.startswith(f"{tmp_path / 's.yaml'}:") and ":1:" not in line.split(" ")[0] for line in lines), lines


def test_same_level_key_written_twice_is_caught(tmp_path, capsys):
    text = MODEL.replace(
        "    excellent: Tested and trusted.\n",
        '    excellent: Tested and trusted.\n    levels:\n      1: One.\n      "1": Again.\n',
    )
    code, lines = validate(capsys, write(tmp_path, "m.yaml", text))
    assert code == 1 and "key '1' appears twice here" in lines[0]


def test_reference_urls_must_be_web_links(tmp_path, capsys):
    model = write(tmp_path, "tiny.yaml", MODEL)
    broken = write(tmp_path, "pb.yaml", PLAYBOOK + "references:\n  - title: Click me\n    url: javascript:alert(1)\n")
    code, lines = validate(capsys, model, broken)
    assert code == 1 and "references[0].url" in lines[0]


def test_hidden_folders_are_not_content(tmp_path):
    write(tmp_path, ".github/workflows/ci.yml", "on: push\n")
    write(tmp_path, "tiny.yaml", MODEL)
    catalog = load_catalog([Source(tmp_path, "organisation")])
    assert catalog.problems == [] and catalog.files_read == 1


def test_validating_a_configured_folder_reports_each_problem_once(tmp_path, monkeypatch, capsys):
    write(tmp_path, "bad.yaml", MODEL.replace("label: Amber", "label: off"))
    monkeypatch.setenv("MATURITY_CONTENT_DIR", str(tmp_path))
    code, lines = validate(capsys, tmp_path)
    assert code == 1 and len(lines) == 1


# --------------------------------------------------------------------------- a file checked as it would join


def cut_model(folder: Path, keep: int = 3) -> Path:
    """A copy of the built-in health check with only its first `keep` segments: valid on its own."""
    original = (Path(builtin_sources()[0].path) / "data-team-health-check.yaml").read_text(encoding="utf-8")
    head, segments = original.split("\nsegments:\n", 1)
    kept = "".join("  - id: " + part for part in segments.split("  - id: ")[1 : keep + 1])
    return write(folder, "health.yaml", f"{head}\nsegments:\n{kept}")


def test_validating_a_cut_copy_of_a_built_in_model_names_every_file_it_breaks(tmp_path, capsys):
    cut = cut_model(tmp_path)
    code, lines = validate(capsys, cut)
    assert code == 1, lines
    broken = {line.split(":", 1)[0] for line in lines}
    playbooks = {str(p) for p in Path("playbooks/health-check").glob("*.yaml")}
    kept = {"instrumentation", "single-source-of-truth", "data-quality-testing"}
    assert {p for p in playbooks if not any(k in p for k in kept)} <= broken
    assert "surveys/data-trust-pulse.yaml" in broken  # a survey's segment mappings break too
    assert all("adding health.yaml would break it: segment" in line for line in lines), lines
    assert str(cut) not in broken  # the file itself is fine


def test_the_command_line_refuses_what_the_upload_refuses_and_for_the_same_reasons(tmp_path, capsys, monkeypatch, db_url):
    from maturity.services import content_files

    folder = tmp_path / "ours"
    folder.mkdir()
    monkeypatch.setenv("MATURITY_CONTENT_DIR", str(folder))
    cut = cut_model(tmp_path)
    code, lines = validate(capsys, cut)
    with pytest.raises(content_files.ContentRejected) as refused:
        content_files.save_file(db_url, folder, get_settings().content_sources, "health.yaml", cut.read_bytes())
    assert code == 1 and len(lines) == len(refused.value.problems) > 20
    assert [line.split(":", 1)[1] for line in lines] == [
        str(p).split(":", 1)[1] for p in refused.value.problems
    ]  # the same problems, the CLI naming each file by its path and the upload by its name
    assert not (folder / "health.yaml").exists()

    # A file beside it in the organisation's folder that defines the same id: both say replace that one instead.
    write(folder, "tiny.yaml", MODEL)
    copy = write(tmp_path, "copy.yaml", MODEL)
    code, lines = validate(capsys, copy)
    assert code == 1 and lines == [f"{copy}: id: model id 'tiny' is already defined by tiny.yaml: replace that file instead"]
    # Replacing it by name is fine, as it is in the app.
    same_name = write(tmp_path / "new", "tiny.yaml", MODEL.replace("name: Tiny model", "name: Tiny model, renamed"))
    assert validate(capsys, same_name) == (0, [])


# --------------------------------------------------------------------------- bounds before parsing


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("flow.yaml", "kind: model\nid: x\nlevels: " + "[" * 100_000 + "]" * 100_000 + "\n", "nested deeper than 50 levels"),
        ("block.yaml", "kind: model\nid: x\nlevels:\n" + "- " * 100_000 + "x\n", "nested deeper than 50 levels"),
        ("maps.yaml", "kind: model\nid: x\nlevels: " + "{a: " * 100_000 + "}" * 100_000 + "\n", "nested deeper than 50 levels"),
        ("full.yaml", "kind: model\nid: x\nlevels: " + "[" * 499_900 + "]" * 499_900 + "\n", "nested deeper than 50 levels"),
        ("big.yaml", "kind: model\n" + "".join(f"key{i}: value\n" for i in range(200_000)), "is 3.3 MB; the limit"),
    ],
)
def test_deep_or_big_yaml_is_refused_at_once_naming_the_limit(tmp_path, capsys, name, text, message):
    from maturity.content.loader import ContentError, load_file

    hostile = write(tmp_path, name, text)
    start = time.perf_counter()
    with pytest.raises(ContentError, match=message):
        load_file(hostile)
    took = time.perf_counter() - start
    assert took < 0.5, f"{took:.2f} s to refuse {name}"  # the 100,000-deep one took 106 s, the 1 MB one minutes
    code, lines = validate(capsys, hostile)  # and the command line says so, naming the limit
    assert code == 1 and len(lines) == 1 and message in lines[0], lines


def test_nesting_up_to_the_limit_still_loads(tmp_path):
    from maturity.content.loader import MAX_DEPTH, ContentError, parse_text

    # A mapping with a list of mappings, nested to exactly the limit: refused for its keys, never for its depth.
    deep = "kind: model\nid: x\nextra: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"
    with pytest.raises(ContentError) as refused:
        parse_text(deep, "deep.yaml")
    assert not any("nested deeper" in p.message for p in refused.value.problems)
    with pytest.raises(ContentError, match="nested deeper than 50"):
        parse_text(deep.replace("extra: [", "extra: [["), "deeper.yaml")


def test_the_upload_refuses_deep_and_big_files_at_once(tmp_path, monkeypatch, db_url):
    from maturity.services import content_files
    from maturity.services.errors import InvalidInput

    folder = tmp_path / "ours"
    folder.mkdir()
    monkeypatch.setenv("MATURITY_CONTENT_DIR", str(folder))
    sources = get_settings().content_sources
    start = time.perf_counter()
    with pytest.raises(content_files.ContentRejected) as refused:
        content_files.save_file(db_url, folder, sources, "deep.yaml", ("levels: " + "[" * 200_000 + "]" * 200_000).encode())
    assert "nested deeper than 50 levels" in refused.value.problems[0].message
    with pytest.raises(InvalidInput, match=r"big.yaml is 2.0 MB; the limit for a content file is 1 MB"):
        content_files.save_file(db_url, folder, sources, "big.yaml", b"#" * 2_000_000)
    assert time.perf_counter() - start < 1  # the deep one took 141 s
    assert list(folder.iterdir()) == []
