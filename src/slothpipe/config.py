"""Validation of the pipeline configuration, with one short error message per problem.

:func:`check_config` runs when the workflow is parsed (workflow/rules/common.smk), before any job is planned.
It checks the loaded config against the JSON schema ``workflow/schemas/config.schema.yaml`` (keys, types,
allowed values, and the patterns that keep path-like settings inside their directories: source names become
file names, ``repo_id``/``repo``/``path``/``file_glob`` become paths inside the offline mirror), then what a
schema cannot: that no source name is used twice and that the files the config names exist.  The first problem
found is raised as a :class:`~slothpipe.errors.ConfigError` whose message has three lines: the key path, the
bad value and what is allowed.

In the schema, ``description`` documents a setting (``python -m slothpipe.config_docs`` renders the
descriptions into config/README.md) and the custom keyword ``allowed`` is the "allowed" line of that
setting's messages where the generic text (a type, a pattern) would not say enough.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from slothpipe.errors import ConfigError
from slothpipe.leaderboards import BENCHMARKS
from slothpipe.obsscaling import METRICS as OBSSCALING_METRICS

import yaml
from jsonschema.exceptions import ValidationError, best_match
from jsonschema.validators import validator_for

__all__ = ["SCHEMA_PATH", "check_config", "load_schema"]

# The schema in the repository layout (the package is installed from src/ in place).
SCHEMA_PATH = Path(__file__).resolve().parents[2] / "workflow" / "schemas" / "config.schema.yaml"

_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_+-]+$")
_MAX_VALUE_CHARS = 100
_MISSING = object()


def load_schema(path: str | os.PathLike[str] = SCHEMA_PATH) -> dict[str, Any]:
    """The JSON schema of the configuration, read from its YAML file."""
    with open(path, encoding="utf-8") as f:
        return _with_tables(yaml.safe_load(f))


def _with_tables(schema: Mapping[str, Any]) -> dict[str, Any]:
    """``schema`` with the allowed values that come from the package's tables: ``$defs.benchmark`` gets the
    benchmark names of :mod:`slothpipe.leaderboards` as its ``enum``, ``$defs.obsscaling_metric`` the metric
    columns of Ruan et al.'s tables."""
    schema = dict(schema)
    defs = dict(schema.get("$defs", {}))
    for name, values in (("benchmark", BENCHMARKS), ("obsscaling_metric", OBSSCALING_METRICS)):
        if name in defs and "enum" not in defs[name]:
            defs[name] = {**defs[name], "enum": list(values)}
    schema["$defs"] = defs
    return schema


def check_config(
    config: Mapping[str, Any],
    *,
    schema: str | os.PathLike[str] | Mapping[str, Any] = SCHEMA_PATH,
    base_dir: str | os.PathLike[str] | None = None,
) -> None:
    """Raise :class:`ConfigError` naming the first invalid setting of ``config``; return when it is valid.

    ``schema`` is the schema itself or the path of its YAML file.  Files named by the config (``registry``,
    ``evaluation.paper_groups``, ``evaluation.paper_mae``, ``downstream.tasks.<name>.file``) must exist
    relative to ``base_dir`` (default: the working directory, where Snakemake runs its jobs).
    """
    schema = _with_tables(schema) if isinstance(schema, Mapping) else load_schema(schema)
    validator = validator_for(schema)(schema)
    errors = list(validator.iter_errors(config))
    if errors:
        more = len(errors) - 1
        note = f"\n  ({more} more problem{'s' * (more > 1)} in the configuration)" if more else ""
        raise ConfigError(_describe(best_match(errors)) + note)
    _check_source_names(config["sources"])
    if "test_time" in config:
        _check_test_time(config["test_time"], config["sources"]["hub"])
    _check_files(config, Path.cwd() if base_dir is None else Path(base_dir))


def _check_source_names(sources: Mapping[str, Any]) -> None:
    # Both kinds write results/data/manifests/<name>.json, so one name must not be used by both.
    for name in sources["github"]:
        if name in sources["hub"]:
            raise ConfigError(
                _message(
                    ("sources", "github", name),
                    "this source name is also used under sources.hub",
                    name,
                    "a name used by one source only (it names the source's output files)",
                )
            )


def _check_test_time(test_time: Mapping[str, Any], hub: Mapping[str, Any]) -> None:
    source = test_time["source"]
    if source not in hub:
        raise ConfigError(
            _message(
                ("test_time", "source"),
                "no such Hub source",
                source,
                f"a name under sources.hub: {', '.join(hub)}",
            )
        )
    glob = hub[source]["file_glob"]
    for model, path in test_time["files"].items():
        if not fnmatch.fnmatchcase(path, glob):
            raise ConfigError(
                _message(("test_time", "files", model), "does not match the source's file_glob", path,
                         f"a file matching {glob!r} (sources.hub.{source}.file_glob)")
            )  # fmt: skip
    for i, target in enumerate(test_time["targets"]):
        if target not in test_time["files"]:
            raise ConfigError(
                _message(("test_time", "targets", i), "not a model of test_time.files", target,
                         f"one of {', '.join(test_time['files'])}")
            )  # fmt: skip
    if len(test_time["files"]) - len(test_time["targets"]) < 2:
        raise ConfigError(
            _message(("test_time", "targets"), "leaves fewer than two models to train the IRT layer",
                     test_time["targets"], "at least two models of test_time.files that are not targets")
        )  # fmt: skip


def _config_files(config: Mapping[str, Any]) -> Iterable[tuple[tuple[str, ...], str]]:
    yield ("registry",), config["registry"]
    yield ("evaluation", "paper_groups"), config["evaluation"]["paper_groups"]
    yield ("evaluation", "paper_mae"), config["evaluation"]["paper_mae"]
    for name, task in config["downstream"]["tasks"].items():
        if "file" in task:
            yield ("downstream", "tasks", name, "file"), task["file"]


def _check_files(config: Mapping[str, Any], base_dir: Path) -> None:
    for key, value in _config_files(config):
        path = base_dir / value
        if path.is_file():
            continue
        problem = "this is a directory, not a file" if path.is_dir() else "the file does not exist"
        raise ConfigError(_message(key, problem, value, f"an existing file, relative to {base_dir}"))


# ---- messages


def _message(key: Iterable[Any], problem: str, value: Any, allowed: str) -> str:
    lines = [
        f"Invalid configuration: {_key_path(key)}: {problem}",
        f"value:   {_show(value)}",
        f"allowed: {allowed}",
    ]
    return "\n  ".join(lines)


def _key_path(parts: Iterable[Any]) -> str:
    """``evaluation.n_restarts``, ``sources.hub['../x']``, ``interpretation.instruct_pairs[0][1]``."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif isinstance(part, str) and _PLAIN_KEY.match(part):
            text += f".{part}" if text else part
        else:
            text += f"[{part!r}]"
    return text or "(top level)"


def _show(value: Any) -> str:
    if value is _MISSING:
        return "(missing)"
    if isinstance(value, str):
        text = repr(value)
    else:
        try:
            text = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError):
            text = repr(value)
    return text if len(text) <= _MAX_VALUE_CHARS else text[: _MAX_VALUE_CHARS - 3] + "..."


def _join(values: Iterable[Any]) -> str:
    return ", ".join(str(v) if isinstance(v, str) else json.dumps(v) for v in values)


def _describe(error: ValidationError) -> str:
    """The three-line message of one schema error."""
    path = list(error.absolute_path)
    kind, expected, schema = error.validator, error.validator_value, error.schema
    allowed = schema.get("allowed") if isinstance(schema, Mapping) else None

    if "propertyNames" in error.absolute_schema_path:
        # The key itself is invalid (e.g. a source name with '/'): error.instance is the key.
        allowed = allowed or f"a name matching {schema.get('pattern', '?')}"
        return _message([*path, error.instance], "invalid name", error.instance, allowed)
    if kind == "additionalProperties" and expected is False:
        known = schema.get("properties", {})
        unknown = [k for k in error.instance if k not in known]
        where = f"keys of {_key_path(path)}" if path else "top-level keys"
        key = unknown[0] if unknown else "?"
        problem = "unknown key" + (f" (also unknown: {_join(unknown[1:])})" if len(unknown) > 1 else "")
        return _message([*path, key], problem, error.instance.get(key), f"{where}: {_join(known)}")
    if kind == "required":
        missing = [k for k in expected if k not in error.instance]
        key = missing[0] if missing else "?"
        allowed = f"required keys of {_key_path(path)}: {_join(expected)}"
        return _message([*path, key], "missing key", _MISSING, allowed)
    if kind == "enum":
        return _message(path, "value not allowed", error.instance, f"one of {_join(expected)}")
    if kind == "type":
        types = expected if isinstance(expected, list) else [expected]
        return _message(path, "wrong type", error.instance, allowed or " or ".join(types))
    if kind == "pattern":
        return _message(path, "invalid value", error.instance, allowed or f"a string matching {expected}")
    limits = {
        "minimum": ">= {}",
        "maximum": "<= {}",
        "exclusiveMinimum": "> {}",
        "exclusiveMaximum": "< {}",
        "minItems": "a list of at least {} items",
        "maxItems": "a list of at most {} items",
        "minLength": "a string of at least {} characters",
        "minProperties": "at least {} entries",
    }
    if kind in limits:
        return _message(path, "value out of range", error.instance, limits[kind].format(expected))
    if kind == "uniqueItems":
        return _message(path, "repeated items", error.instance, "a list without repeated items")
    # oneOf / anyOf and anything else: the schema's own `allowed` text when it has one.
    return _message(path, "invalid value", error.instance, allowed or error.message)
