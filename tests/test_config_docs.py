"""The config is documented once: config/README.md's reference is generated from the schema's descriptions.

``python -m slothpipe.config_docs`` renders workflow/schemas/config.schema.yaml (descriptions, types, enums,
limits) with the defaults of config/config.yaml between two markers of config/README.md; these tests fail when
the README section is stale, when a setting has no description, or when config.yaml grows its own prose again.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from slothpipe import config_docs
from slothpipe.config import load_schema

import yaml

REPO = Path(__file__).resolve().parents[1]
README = REPO / "config" / "README.md"


def test_readme_reference_is_the_rendered_schema():
    readme = README.read_text(encoding="utf-8")
    assert config_docs.BEGIN in readme and config_docs.END in readme, "config/README.md lost its markers"
    assert config_docs.replace_reference(readme, config_docs.current_reference()) == readme, (
        "config/README.md's config reference differs from the schema: run `python -m slothpipe.config_docs` "
        "(after editing the descriptions in workflow/schemas/config.schema.yaml, never the README section)"
    )


def test_check_command_reports_a_stale_readme(tmp_path, monkeypatch):
    stale = tmp_path / "README.md"
    stale.write_text(
        config_docs.replace_reference(
            README.read_text(encoding="utf-8"), f"{config_docs.BEGIN}\nold\n{config_docs.END}\n"
        ),
        encoding="utf-8",
    )
    monkeypatch.setattr(config_docs, "README_PATH", stale)
    assert config_docs.main(["--check"]) == 1
    assert config_docs.main([]) == 0  # regenerates
    assert config_docs.main(["--check"]) == 0
    assert stale.read_text(encoding="utf-8") == README.read_text(encoding="utf-8")


def test_check_command_passes_on_the_repository():
    out = subprocess.run(
        [sys.executable, "-m", "slothpipe.config_docs", "--check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr


def _settings(schema, path=""):
    """(dotted path, schema) of every setting, map entries as ``<name>``."""
    for key, sub in schema.get("properties", {}).items():
        here = f"{path}.{key}" if path else key
        yield here, sub
        yield from _settings(sub, here)
        entry = sub.get("additionalProperties")
        if isinstance(entry, dict) and "properties" in entry:
            yield from _settings(entry, f"{here}.<name>")


def test_every_setting_has_a_description_and_appears_in_the_readme():
    schema = load_schema()
    readme = README.read_text(encoding="utf-8")
    settings = list(_settings(schema))
    assert len(settings) > 80
    missing = [path for path, sub in settings if not sub.get("description", "").strip()]
    assert not missing, f"settings without a description in the schema: {missing}"
    for path, sub in settings:
        group = "." not in path and "properties" in sub  # a top-level group is a section of its own
        assert (f"\n### {path}\n" if group else f"| `{path}` |") in readme, path


def test_defaults_come_from_config_yaml():
    reference = config_docs.current_reference()
    assert "| `evaluation.solver` | one of `lbfgs`, `adam_paper` | `lbfgs` |" in reference
    assert "| `interpretation.ridge` | number (≥ 0) | `1.0e-06` |" in reference
    assert "| `offline_mirror` | string or `null` | `null` |" in reference


def test_config_yaml_has_no_duplicated_prose():
    """config.yaml's comments are a header and one line per section (plus notes on single values)."""
    text = (REPO / "config" / "config.yaml").read_text(encoding="utf-8")
    comments = [line for line in text.splitlines() if re.match(r"\s*#", line)]
    sections = [key for key, value in yaml.safe_load(text).items() if isinstance(value, dict)]
    assert len(comments) <= 2 + len(sections) + 2, comments  # header, a line per section, two notes
