"""The configuration reference of config/README.md, rendered from the config schema.

The schema ``workflow/schemas/config.schema.yaml`` is the one documentation of ``config/config.yaml``: its
``description`` fields say what each setting means, its types, enums and limits what is allowed, and the
shipped ``config/config.yaml`` gives the defaults.  :func:`render` turns them into Markdown (one table of
the top-level settings, one section per top-level group, nested keys as dotted paths, ``<name>`` for the
entries of a map); ``python -m slothpipe.config_docs`` writes it between the markers of config/README.md, and
``python -m slothpipe.config_docs --check`` (as tests/test_config_docs.py) fails when the README is stale.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from slothpipe.config import SCHEMA_PATH, load_schema
from slothpipe.io import write_text

import yaml

__all__ = ["BEGIN", "CONFIG_PATH", "END", "README_PATH", "main", "render", "replace_reference"]

ROOT = SCHEMA_PATH.parents[2]
CONFIG_PATH = ROOT / "config" / "config.yaml"
README_PATH = ROOT / "config" / "README.md"
COMMAND = "python -m slothpipe.config_docs"
BEGIN = (
    f"<!-- BEGIN generated config reference: edit workflow/schemas/config.schema.yaml, run `{COMMAND}` -->"
)
END = "<!-- END generated config reference -->"

_MAX_DEFAULT_CHARS = 60
_LIMITS = {
    "minimum": "≥ {}",
    "exclusiveMinimum": "> {}",
    "maximum": "≤ {}",
    "exclusiveMaximum": "< {}",
    "minLength": "at least {} character{}",
    "minItems": "at least {} item{}",
    "maxItems": "at most {} item{}",
    "minProperties": "at least {} entr{}",
}
_PLURALS = {"minLength": "s", "minItems": "s", "maxItems": "s", "minProperties": "ies"}
_NO_DEFAULT = object()


# ---- text of one setting


def _code(value: Any) -> str:
    return f"`{value}`"


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().replace("|", "\\|")


def _scalar(value: Any) -> str:
    """A value as YAML spells it in config.yaml (``null``, ``1.0e-06``, ``[1, 2]``)."""
    text = yaml.safe_dump(value, default_flow_style=True, width=10**6, allow_unicode=True, sort_keys=False)
    return text.strip().removesuffix("...").strip()


def _ref_name(schema: Mapping[str, Any]) -> str | None:
    ref = schema.get("$ref", "")
    return ref.rsplit("/", 1)[-1] if ref.startswith("#/$defs/") else None


def _enum(values: Sequence[Any]) -> str:
    return "one of " + ", ".join(_code(_scalar(v)) for v in values)


def _limits(schema: Mapping[str, Any]) -> list[str]:
    parts = []
    for key, template in _LIMITS.items():
        if key in schema:
            n = schema[key]
            plural = _PLURALS.get(key, "")
            parts.append(template.format(n, plural if n != 1 else "y" if plural == "ies" else ""))
    if "pattern" in schema and "allowed" not in schema:
        parts.append(f"pattern `{schema['pattern']}`")
    if schema.get("uniqueItems"):
        parts.append("no repeats")
    return parts


def type_text(schema: Mapping[str, Any]) -> str:
    """What a setting may be: ``integer ≥ 1``, ``list of one of `1`, `2```, ``file`` (a $defs type)…"""
    ref = _ref_name(schema)
    if ref:
        return f"*{ref}*"
    if "oneOf" in schema and "type" not in schema and "properties" not in schema:
        return " or ".join(type_text(alt) for alt in schema["oneOf"])
    if "enum" in schema:
        return _enum(schema["enum"])
    kinds = schema.get("type", "object" if "properties" in schema or "additionalProperties" in schema else "")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    kinds = [_code("null") if k == "null" else k for k in kinds if k]
    if "array" in kinds and "items" in schema:
        kinds[kinds.index("array")] = "list of " + type_text(schema["items"])
    if "object" in kinds and isinstance(schema.get("additionalProperties"), Mapping):
        value = schema["additionalProperties"]
        value_text = "settings" if "properties" in value else type_text(value)
        kinds[kinds.index("object")] = f"map: {_name_text(schema)} → {value_text}"
    elif "object" in kinds:
        kinds[kinds.index("object")] = "settings"
    text = " or ".join(kinds) or "any"
    limits = _limits(schema)
    return text + (f" ({', '.join(limits)})" if limits else "")


def _name_text(schema: Mapping[str, Any]) -> str:
    names = schema.get("propertyNames") or {}
    if _ref_name(names):
        return f"*{_ref_name(names)}*"
    if "enum" in names:
        return "name (" + _enum(names["enum"]) + ")"
    return "name"


def _default_text(value: Any, schema: Mapping[str, Any]) -> str:
    if value is _NO_DEFAULT:
        return ""
    if isinstance(value, Mapping) and isinstance(schema.get("additionalProperties"), Mapping):
        return ", ".join(_code(k) for k in value)
    text = _scalar(value)
    if len(text) <= _MAX_DEFAULT_CHARS:
        return _code(text)
    if isinstance(value, Sequence) and not isinstance(value, str):
        return f"{len(value)} items (see config.yaml)"
    return "see config.yaml"


# ---- tables


def _rows(schema: Mapping[str, Any], prefix: str, defaults: Any) -> list[tuple[str, str, str, str]]:
    """(key, type, default, meaning) of every setting under ``schema``, depth first in schema order."""
    rows = []
    for key, sub in schema.get("properties", {}).items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(defaults, Mapping):
            value = defaults.get(key, _NO_DEFAULT)
        else:
            value = _NO_DEFAULT
        optional = key not in schema.get("required", [])
        meaning = _one_line(sub.get("description", ""))
        if optional and "Optional" not in meaning and "optional" not in meaning:
            meaning = ("Optional. " + meaning).strip()
        if value is _NO_DEFAULT and optional and defaults is not _NO_DEFAULT:
            shown = "(absent)"
        else:
            shown = _default_text(value, sub)
        rows.append((_code(path), _one_line(type_text(sub)), shown, meaning))
        rows.extend(_rows(sub, path, value))
        entry = sub.get("additionalProperties")
        if isinstance(entry, Mapping) and "properties" in entry:
            rows.extend(_rows(entry, f"{path}.<name>", _NO_DEFAULT))
    return rows


def _table(rows: list[tuple[str, str, str, str]]) -> list[str]:
    lines = ["| key | type | default | meaning |", "|---|---|---|---|"]
    lines += [f"| {' | '.join(row)} |" for row in rows]
    return lines


def render(schema: Mapping[str, Any], config: Mapping[str, Any]) -> str:
    """The Markdown reference of ``schema`` with the defaults of ``config``, markers included."""
    groups = {k: s for k, s in schema["properties"].items() if "properties" in s}
    top = {**schema, "properties": {k: s for k, s in schema["properties"].items() if k not in groups}}
    lines = [BEGIN, "", _one_line(schema.get("description", "")), ""]
    lines += _table(_rows(top, "", config))
    for key, sub in groups.items():
        lines += ["", f"### {key}", ""]
        description = _one_line(sub.get("description", ""))
        if key not in schema.get("required", []) and "Optional" not in description:
            description = "Optional section. " + description
        lines += [description, ""]
        lines += _table(_rows(sub, key, config.get(key, _NO_DEFAULT)))
    definitions = schema.get("$defs", {})
    if definitions:
        lines += ["", "### Types", "", "| type | meaning | allowed |", "|---|---|---|"]
        for name, sub in definitions.items():
            description = _one_line(sub.get("description", ""))
            lines.append(f"| *{name}* | {description} | {_one_line(sub.get('allowed', type_text(sub)))} |")
    lines += ["", END]
    return "\n".join(lines) + "\n"


def replace_reference(readme: str, reference: str) -> str:
    """``readme`` with the text between (and including) the markers replaced by ``reference``."""
    start, end = readme.find(BEGIN), readme.find(END)
    if start < 0 or end < start:
        raise ValueError(f"config/README.md lacks the generated-reference markers:\n{BEGIN}\n{END}")
    return readme[:start] + reference + readme[end + len(END) :].removeprefix("\n")


def current_reference() -> str:
    """The reference of the repository's schema and config.yaml."""
    config = yaml.safe_load(CONFIG_PATH.read_text(encoding="utf-8"))
    return render(load_schema(), config)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that config/README.md is up to date")
    args = parser.parse_args(argv)
    readme = README_PATH.read_text(encoding="utf-8")
    updated = replace_reference(readme, current_reference())
    if args.check:
        if updated != readme:
            print(f"config/README.md's config reference is stale: run `{COMMAND}`", file=sys.stderr)
            return 1
        return 0
    if updated != readme:
        write_text(updated, README_PATH)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
