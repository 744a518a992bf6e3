"""Read one YAML content file into a definition, turning every failure into readable problems."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from maturity.content.checks import check
from maturity.content.definitions import DEFINITION_BY_KIND, Definition

YAML_BOOLEAN_WORDS = {"yes", "no", "on", "off", "true", "false", "y", "n"}
# Bounds checked before a file is parsed: PyYAML's pure-Python scanner takes time that grows with the square of
# the nesting (a 100,000-deep `[[[…]]]` took minutes), and the deepest real content file is under 10 levels.
MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 50
# The first pass runs on libyaml where PyYAML has it (C speed), else, or when libyaml disagrees, on PyYAML's own parser.
_PARSERS = tuple(p for p in (getattr(yaml, "CSafeLoader", None), yaml.SafeLoader) if p is not None)
_OPENS = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSES = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one content file, said so a facilitator can fix it."""

    path: str
    message: str
    field: str = ""
    line: int | None = None

    def __str__(self) -> str:
        where = self.path + (f":{self.line}" if self.line else "")
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class ContentError(Exception):
    """A content file could not be loaded; `problems` says why."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


@dataclass(frozen=True)
class _Scalar:
    line: int
    raw: str
    tag: str


class _Positions:
    """Line of every key and item in a YAML document, and the raw text of each scalar."""

    def __init__(self) -> None:
        self.lines: dict[tuple, int] = {}
        self.scalars: dict[tuple, _Scalar] = {}
        self.duplicates: list[tuple[tuple, int]] = []

    def walk(self, node: yaml.Node, path: tuple = ()) -> None:
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            seen: set = set()
            for key_node, value_node in node.value:
                key = _key_value(key_node)
                if str(key) in seen:  # 1 and "1" are the same key to a reader
                    self.duplicates.append((path + (key,), key_node.start_mark.line + 1))
                seen.add(str(key))
                self.lines[path + (key,)] = key_node.start_mark.line + 1
                self.walk(value_node, path + (key,))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self.walk(item, path + (index,))
        elif isinstance(node, yaml.ScalarNode):
            self.scalars[path] = _Scalar(node.start_mark.line + 1, node.value, node.tag)

    def line_for(self, path: tuple) -> int | None:
        # Pydantic may point below what the file has (a missing key): fall back to the nearest parent.
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get(())


def _key_value(node: yaml.Node):
    if isinstance(node, yaml.ScalarNode):
        value = yaml.safe_load(node.value) if node.tag.endswith(":int") else node.value
        return value
    return node.start_mark.line


def format_path(loc: tuple) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def too_big(size: int) -> str | None:
    """What is wrong with a content file of `size` bytes ("is 2.3 MB; the limit is 1 MB"), or None when it is fine."""
    if size <= MAX_FILE_BYTES:
        return None
    shown = f"{size / 1_000_000:.1f} MB" if size >= 1_050_000 else f"{size:,} bytes"
    return f"is {shown}; the limit for a content file is 1 MB ({MAX_FILE_BYTES:,} bytes)"


def load_file(path: Path, display: str | None = None) -> Definition:
    """Return the definition in `path`; raise ContentError listing every problem found."""
    shown = display or str(path)
    try:
        problem = too_big(path.stat().st_size)
        if problem:
            raise ContentError([Problem(shown, f"the file {problem}")])
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ContentError([Problem(shown, "file is not UTF-8 text; save it as UTF-8")]) from None
    except OSError as exc:
        raise ContentError([Problem(shown, f"cannot read the file: {exc.strerror or exc}")]) from None
    return parse_text(text, shown)


def parse_text(text: str, shown: str) -> Definition:
    problem = too_big(len(text.encode("utf-8")))
    if problem:
        raise ContentError([Problem(shown, f"the file {problem}")])
    refused = _refused_shape(text, shown)
    if refused is not None:
        raise ContentError([refused])
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ContentError([_syntax_problem(exc, shown)]) from None
    except RecursionError:
        raise ContentError([_too_deep(shown, None)]) from None
    if node is None or data is None:
        raise ContentError([Problem(shown, "file is empty; it needs at least `kind:` and `id:`")])
    positions = _Positions()
    positions.walk(node)
    if positions.duplicates:
        raise ContentError(
            [
                Problem(
                    shown, f"key {p[-1]!r} appears twice here; YAML would silently keep only the last one", format_path(p), line
                )
                for p, line in positions.duplicates
            ]
        )
    if not isinstance(data, dict):
        raise ContentError(
            [Problem(shown, "the file must be a mapping of keys (kind:, id:, ...), not a list or a single value", line=1)]
        )
    kind = data.get("kind")
    definition = DEFINITION_BY_KIND.get(kind) if isinstance(kind, str) else None
    if definition is None:
        kinds = ", ".join(DEFINITION_BY_KIND)
        message = "missing `kind:`" if kind is None else f"unknown kind {kind!r}"
        raise ContentError([Problem(shown, f"{message}; it must be one of: {kinds}", "kind", positions.line_for(("kind",)))])
    try:
        loaded = definition.model_validate(data)
    except ValidationError as exc:
        raise ContentError(_unique_problems(_validation_problem(err, positions, shown) for err in exc.errors())) from None
    findings = check(loaded)
    if findings:
        raise ContentError(
            _unique_problems(Problem(shown, message, format_path(loc), positions.line_for(loc)) for loc, message in findings)
        )
    return loaded


def _refused_shape(text: str, shown: str) -> Problem | None:
    """A cheap first pass over the file's events, stopping at the first alias or at nesting deeper than MAX_DEPTH.

    Both are refused before the file is parsed for real: aliases can expand a tiny file into billions of nodes,
    and deep nesting costs the real parse time that grows with its square. Any other YAML error is left to the
    real parse, which says it with the line and a hint; it meets that error no deeper than MAX_DEPTH."""
    for parser in _PARSERS:
        try:
            return _first_alias_or_depth(text, shown, parser)
        except yaml.YAMLError as exc:
            if "depth" in str(getattr(exc, "problem", "") or ""):  # libyaml's own nesting limit, met first
                mark = getattr(exc, "problem_mark", None)
                return _too_deep(shown, mark.line + 1 if mark else None)
            # libyaml and PyYAML disagree on a few corners of YAML: the next parser reads it as the real parse will
        except RecursionError:
            return _too_deep(shown, None)
    return None


def _first_alias_or_depth(text: str, shown: str, parser) -> Problem | None:
    depth = 0
    for event in yaml.parse(text, Loader=parser):
        if isinstance(event, yaml.AliasEvent):
            return Problem(
                shown,
                "YAML anchors and aliases (&name / *name) are not supported in content files; write the text out in full",
                line=event.start_mark.line + 1,
            )
        if isinstance(event, _OPENS):
            depth += 1
            if depth > MAX_DEPTH:
                return _too_deep(shown, event.start_mark.line + 1)
        elif isinstance(event, _CLOSES):
            depth -= 1
    return None


def _too_deep(shown: str, line: int | None) -> Problem:
    return Problem(
        shown,
        f"the file has lists or mappings nested deeper than {MAX_DEPTH} levels, the limit for a content file; "
        "check its indentation and brackets",
        line=line,
    )


def _unique_problems(problems) -> list[Problem]:
    return list(dict.fromkeys(problems))


def _syntax_problem(exc: yaml.YAMLError, shown: str) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    message = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
    hint = ""
    if "mapping values are not allowed" in problem:
        hint = "; a value that contains ': ' must be quoted"
    elif "found character '\\t'" in problem:
        hint = "; indent with spaces, not tabs"
    return Problem(shown, message + hint, line=mark.line + 1 if mark else None)


def _validation_problem(err: dict[str, Any], positions: _Positions, shown: str) -> Problem:
    loc = tuple(part for part in err["loc"] if not _is_pydantic_tag(part))
    kind = err["type"]
    field = format_path(loc)
    line = positions.line_for(loc)
    scalar = positions.scalars.get(loc)
    if scalar is not None and scalar.raw.lower() in YAML_BOOLEAN_WORDS and scalar.tag.endswith(":bool"):
        message = (
            f"YAML read `{scalar.raw}` as the boolean {str(err['input']).lower()}"
            f' (yes/no/on/off are booleans in YAML); quote it: "{scalar.raw}"'
        )
        return Problem(shown, message, field, scalar.line)
    if kind == "extra_forbidden":
        return Problem(
            shown, f"unknown key {loc[-1]!r}; check its spelling (see docs/content.md for the allowed keys)", field, line
        )
    if kind == "missing":
        return Problem(shown, f"required key {loc[-1]!r} is missing", format_path(loc[:-1]) or field, line)
    if kind == "string_type" and scalar is not None and scalar.tag.endswith((":int", ":float")):
        return Problem(shown, f'YAML read `{scalar.raw}` as a number; quote it: "{scalar.raw}"', field, scalar.line)
    if kind == "string_pattern_mismatch" and "colour" in field:
        return Problem(shown, f'{err["input"]!r} is not a colour; write it as "#rrggbb" (in quotes)', field, line)
    if kind == "string_pattern_mismatch":
        return Problem(
            shown,
            f"{err['input']!r} is not a valid id: use lower case letters, digits, '-' and '_', starting with a letter or digit",
            field,
            line,
        )
    if kind in ("enum", "literal_error"):
        return Problem(shown, f"{err['input']!r} is not allowed; {err['msg'].replace('Input should be ', 'use ')}", field, line)
    message = err["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    return Problem(shown, message, field, line)


PYDANTIC_TAGS = {"str", "int", "float", "bool", "constrained-str", "constrained-int", "[key]"}


def _is_pydantic_tag(part) -> bool:
    # Unions, constraints and dict keys add pydantic's own names to the error location; they are
    # not keys in the file.
    return isinstance(part, str) and (
        part in PYDANTIC_TAGS
        or part.startswith(("function-", "union[", "list[", "tagged-union[", "lax-", "strict-", "json-or-python["))
    )


def line_of(path: Path, loc: tuple) -> int | None:
    """The line of `loc` in a file that already parsed, for problems found after loading."""
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    positions = _Positions()
    if node is not None:
        positions.walk(node)
    return positions.line_for(loc)
