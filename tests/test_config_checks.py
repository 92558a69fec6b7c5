"""Config validation (slothpipe.config.check_config): schema errors and path checks, one short message each.

Every error names the key path, the bad value and what is allowed; path-like settings cannot leave their
directory (source names become file names, repo ids and paths become paths inside the offline mirror) and the
files the config names must exist.  The last test runs ``snakemake -n`` with a bad ``--config``.
"""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable
from pathlib import Path

from slothpipe.config import SCHEMA_PATH, check_config, load_schema
from slothpipe.errors import ConfigError

import pytest
import yaml
from jsonschema.validators import validator_for
from snakemake_runner import snakemake

REPO = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))


def error_of(change: Callable[[dict], object], base_dir: Path = REPO) -> str:
    """The ConfigError message for the repository's config after ``change(config)``."""
    config = copy.deepcopy(CONFIG)
    change(config)
    with pytest.raises(ConfigError) as info:
        check_config(config, base_dir=base_dir)
    message = str(info.value)
    assert len(message.splitlines()) <= 4, message
    return message


def hub(config: dict) -> dict:
    return config["sources"]["hub"]["leaderboard_v1"]


def github(config: dict) -> dict:
    return config["sources"]["github"]["obsscaling_base"]


def task(config: dict) -> dict:
    return config["downstream"]["tasks"]["eq_bench"]


def test_schema_is_a_valid_json_schema_and_the_repository_config_passes():
    schema = load_schema()
    validator_for(schema).check_schema(schema)
    assert SCHEMA_PATH == REPO / "workflow" / "schemas" / "config.schema.yaml"
    check_config(CONFIG, base_dir=REPO)


def test_unknown_key_lists_the_allowed_keys():
    message = error_of(lambda c: c["evaluation"].update(n_restart=3))
    assert message.splitlines() == [
        "Invalid configuration: evaluation.n_restart: unknown key",
        "  value:   3",
        "  allowed: keys of evaluation: suites, n_train_models, groups, paper_groups, methods, random_state, "
        "n_restarts, solver, paper_mae, headline_test",
    ]
    assert "top-level keys: offline_mirror, metadata" in error_of(lambda c: c.update(metdata="paper"))


def test_wrong_enum_type_and_range():
    assert error_of(lambda c: c["evaluation"].update(solver="adam")).splitlines() == [
        "Invalid configuration: evaluation.solver: value not allowed",
        "  value:   'adam'",
        "  allowed: one of lbfgs, adam_paper",
    ]
    message = error_of(lambda c: c["evaluation"].update(n_restarts="five"))
    assert "evaluation.n_restarts: wrong type" in message and "integer or null" in message
    assert "allowed: >= 1" in error_of(lambda c: c["evaluation"].update(n_restarts=0))
    message = error_of(lambda c: c["evaluation"].pop("solver"))
    assert "evaluation.solver: missing key" in message and "(missing)" in message


def test_several_problems_report_the_first_and_count_the_others():
    message = error_of(lambda c: (c.update(metadata="both"), c["evaluation"].update(solver="adam")))
    assert message.startswith("Invalid configuration: metadata: value not allowed")
    assert message.endswith("(1 more problem in the configuration)")


@pytest.mark.parametrize("kind", ["hub", "github"])
@pytest.mark.parametrize("name", ["../../../outside", "a/b", "..", ".hidden", "a\\b", ""])
def test_source_names_cannot_be_paths(kind, name):
    message = error_of(lambda c: c["sources"][kind].update({name: next(iter(c["sources"][kind].values()))}))
    assert message.splitlines()[0] == f"Invalid configuration: sources.{kind}[{name!r}]: invalid name"
    assert f"value:   {name!r}" in message
    assert "it becomes a file name" in message


def test_a_source_name_is_used_by_one_kind_only():
    message = error_of(lambda c: c["sources"]["github"].update(leaderboard_v1=github(c)))
    assert "sources.github.leaderboard_v1: this source name is also used under sources.hub" in message


BAD_REPOS = ["../contents", "owner/..", "/abs/name", "owner/name/extra", "owner", "a\\b/c"]
BAD_PATHS = ["/etc/passwd", "../x.csv", "a/../../x.csv", "a/..", "a\\..\\x.csv", "a\nb", ""]


@pytest.mark.parametrize("repo", BAD_REPOS)
def test_repo_ids_are_owner_slash_name(repo):
    message = error_of(lambda c: hub(c).update(repo_id=repo))
    assert message.startswith("Invalid configuration: sources.hub.leaderboard_v1.repo_id: invalid value")
    assert "'owner/name'" in message
    message = error_of(lambda c: github(c).update(repo=repo))
    assert message.startswith("Invalid configuration: sources.github.obsscaling_base.repo: invalid value")


@pytest.mark.parametrize("path", BAD_PATHS)
def test_paths_inside_the_mirror_are_relative_without_dotdot(path):
    message = error_of(lambda c: github(c).update(path=path))
    assert message.startswith("Invalid configuration: sources.github.obsscaling_base.path: invalid value")
    assert "no '..' part" in message
    message = error_of(lambda c: hub(c).update(file_glob=path))
    assert message.startswith("Invalid configuration: sources.hub.leaderboard_v1.file_glob: invalid value")


def test_names_and_paths_that_only_look_odd_are_accepted():
    config = copy.deepcopy(CONFIG)
    config["sources"]["hub"]["v1.2-x_y"] = {**hub(config), "repo_id": "my.org/.gh", "file_glob": "a/..b/*"}
    config["sources"]["github"]["r..s"] = {**github(config), "repo": "o-1/r_2", "path": "./dir/x..csv"}
    check_config(config, base_dir=REPO)


def test_missing_registry_names_the_key_and_the_path(tmp_path):
    assert error_of(lambda c: c.update(registry="nope.csv")).splitlines() == [
        "Invalid configuration: registry: the file does not exist",
        "  value:   'nope.csv'",
        f"  allowed: an existing file, relative to {REPO}",
    ]
    assert "registry: this is a directory, not a file" in error_of(lambda c: c.update(registry="config"))
    # Relative to the working directory (Snakemake's -d) by default: an empty directory has none of the files.
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)
        with pytest.raises(ConfigError, match=r"registry: the file does not exist"):
            check_config(CONFIG)


@pytest.mark.parametrize(
    ("key", "change"),
    [
        ("registry", lambda c: c.update(registry="/etc/passwd")),
        ("registry", lambda c: c.update(registry="../main/config/models.csv")),
        ("evaluation.paper_groups", lambda c: c["evaluation"].update(paper_groups="config/../config/x.yaml")),
        ("evaluation.paper_mae", lambda c: c["evaluation"].update(paper_mae="config\\paper_mae.yaml")),
        ("downstream.tasks.eq_bench.file", lambda c: task(c).update(file="/x.csv")),
    ],
)
def test_repository_files_are_relative_without_dotdot(key, change):
    message = error_of(change)
    assert message.startswith(f"Invalid configuration: {key}: invalid value")
    assert "not starting with '/', no '..' part" in message


@pytest.mark.parametrize(
    ("key", "change"),
    [
        ("evaluation.paper_groups", lambda c: c["evaluation"].update(paper_groups="config/groups.yaml")),
        ("evaluation.paper_mae", lambda c: c["evaluation"].update(paper_mae="config/mae.yaml")),
        ("downstream.tasks.eq_bench.file", lambda c: task(c).update(file="x.csv")),
    ],
)
def test_every_named_file_must_exist(key, change):
    assert error_of(change).startswith(f"Invalid configuration: {key}: the file does not exist")


def test_a_task_takes_a_column_or_a_file():
    message = error_of(lambda c: task(c).update(column="EQ"))
    assert message.startswith("Invalid configuration: downstream.tasks.eq_bench: invalid value")
    assert "exactly one of `column` (dataset column) or `file`" in message


@pytest.mark.parametrize(
    ("setting", "key"),
    [("registry=nope.csv", "registry"), ("evaluation={'solvr': 1}", "evaluation.solvr")],
)
def test_snakemake_dry_run_stops_with_the_short_message(tmp_path, setting, key):
    shutil.copytree(REPO / "config", tmp_path / "config")
    result = snakemake(tmp_path, "data", "--dry-run", cores=1, config=(setting,), timeout=120)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert f"Invalid configuration: {key}: " in output
    assert len(output.strip().splitlines()) <= 10, output
    assert not (tmp_path / "resources").exists()
