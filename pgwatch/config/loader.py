"""Reading ``config.yaml``: YAML with line numbers, ``${VAR}`` interpolation, one-line errors.

Every error reads ``config.yaml:14: targets[0].port: must be between 1 and 65535``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from pgwatch.config.models import Config, Section
from pgwatch.errors import ConfigError

KeyPath = tuple[str | int, ...]
# Aliases let a few lines of YAML stand for billions of values: more than this is refused.
MAX_YAML_VALUES = 100_000
_VARIABLE = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def load_config(path: Path | str, environ: Mapping[str, str] | None = None) -> Config:
    """Parse, interpolate and validate one configuration file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    data, lines = _parse(path, text)
    data = _interpolate(path, data, lines, (), os.environ if environ is None else environ)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1: the file must be a mapping with a 'targets' list")
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(path, exc, lines)) from None
    _locate(config, path, lines, ())
    return config


def format_key_path(key_path: KeyPath) -> str:
    """('targets', 0, 'port') -> 'targets[0].port'."""
    out = ""
    for part in key_path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _locate(section: Section, path: Path, lines: dict[KeyPath, int], key_path: KeyPath
            ) -> None:
    """Tell every section where its keys are, for errors found after loading."""
    section._where = {key: f"{path}:{_line(lines, (*key_path, key))}: "
                           f"{format_key_path((*key_path, key))}"
                      for key in type(section).model_fields}
    for key in type(section).model_fields:
        value = getattr(section, key)
        children: dict[str | int, object] = dict(value.items()) if isinstance(value, dict) \
            else dict(enumerate(value)) if isinstance(value, list) else {}
        if isinstance(value, Section):
            _locate(value, path, lines, (*key_path, key))
        for index, child in children.items():
            if isinstance(child, Section):
                _locate(child, path, lines, (*key_path, key, index))


def _parse(path: Path, text: str) -> tuple[Any, dict[KeyPath, int]]:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        if node is None:
            raise ConfigError(f"{path}:1: the file is empty")
        data = yaml.SafeLoader(text).get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark is not None and "end" in str(exc.problem):
            mark = exc.context_mark  # at end of file, point at what was left open
        line = mark.line + 1 if mark is not None else 1
        raise ConfigError(f"{path}:{line}: invalid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}") from None
    lines: dict[KeyPath, int] = {}
    _record_lines(path, node, (), lines, [MAX_YAML_VALUES])
    return data, lines


def _record_lines(path: Path, node: yaml.Node, key_path: KeyPath, lines: dict[KeyPath, int],
                  left: list[int]) -> None:
    left[0] -= 1
    if left[0] < 0:
        raise ConfigError(f"{path}:{node.start_mark.line + 1}: the YAML stands for more than "
                          f"{MAX_YAML_VALUES} values (aliases repeated in aliases?)")
    lines.setdefault(key_path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = (*key_path, str(key_node.value))
            lines[child] = key_node.start_mark.line + 1
            _record_lines(path, value_node, child, lines, left)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(path, item, (*key_path, index), lines, left)


def _interpolate(path: Path, value: Any, lines: dict[KeyPath, int], key_path: KeyPath,
                 environ: Mapping[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _interpolate(path, v, lines, (*key_path, str(k)), environ)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_interpolate(path, v, lines, (*key_path, i), environ)
                for i, v in enumerate(value)]
    if not isinstance(value, str) or "$" not in value:
        return value

    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, default = match.group(1), match.group(2)
        if name in environ and (environ[name] != "" or default is None):
            return environ[name]
        if default is not None:
            return default
        raise ConfigError(f"{path}:{_line(lines, key_path)}: {format_key_path(key_path)}: "
                          f"environment variable {name} is not set")

    return _VARIABLE.sub(substitute, value)


def _describe(path: Path, exc: ValidationError, lines: dict[KeyPath, int]) -> str:
    errors = exc.errors()
    first = errors[0]
    key_path: KeyPath = tuple(p for p in first["loc"] if isinstance(p, str | int))
    message = _message(first, key_path)
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{path}:{_line(lines, key_path)}: {format_key_path(key_path)}: {message}{more}"


def _message(error: Mapping[str, Any], key_path: KeyPath) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        allowed = _allowed_keys(key_path[:-1])
        return "unknown key" + (f"; allowed: {', '.join(allowed)}" if allowed else "")
    if kind == "missing":
        return "is required"
    text = str(error["msg"]).removeprefix("Value error, ")
    return text[:1].lower() + text[1:]


def _allowed_keys(parent: KeyPath) -> list[str]:
    model: type[BaseModel] | None = Config
    keyed = False  # the previous field was a dict: this part is one of its keys
    for part in parent:
        if model is None:
            return []
        if isinstance(part, int) or keyed:
            keyed = False
            continue
        field = model.model_fields.get(part)
        annotation = field.annotation if field is not None else None
        keyed = get_origin(annotation) is dict
        model = _model_of(annotation)
    return sorted(model.model_fields) if model is not None else []


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _line(lines: dict[KeyPath, int], key_path: KeyPath) -> int:
    for end in range(len(key_path), -1, -1):
        if key_path[:end] in lines:
            return lines[key_path[:end]]
    return 1
