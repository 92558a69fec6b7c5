"""The publish step of tracked outputs (slothpipe.publish): atomic copy, publish-rule patterns, siblings."""

from __future__ import annotations

import re

from slothpipe.publish import main, publish, sibling_outputs, tracked_pattern_regex

import pytest


def test_publish_replaces_the_tracked_file_and_leaves_no_temporary_file(tmp_path):
    work, dest = tmp_path / "work" / "a.csv", tmp_path / "results" / "a.csv"
    work.parent.mkdir()
    work.write_text("new\n")
    dest.parent.mkdir()
    dest.write_text("old\n")
    assert main([str(work), str(dest)]) == 0
    assert dest.read_text() == "new\n"
    assert sorted(p.name for p in dest.parent.iterdir()) == ["a.csv"]


def test_publish_without_work_file_keeps_the_tracked_file(tmp_path):
    dest = tmp_path / "a.csv"
    dest.write_text("old\n")
    with pytest.raises(FileNotFoundError):
        publish(tmp_path / "missing.csv", dest)
    assert dest.read_text() == "old\n" and sorted(p.name for p in tmp_path.iterdir()) == ["a.csv"]


def test_pattern_regex_matches_declared_paths_only():
    regex = re.compile(tracked_pattern_regex(["results/figures/{name}.pdf", "results/tables/x.csv"]))
    assert regex.fullmatch("results/figures/fig01.pdf")
    assert regex.fullmatch("results/figures/motivation/mmlu.pdf")  # a wildcard may span directories
    assert regex.fullmatch("results/tables/x.csv")
    assert not regex.fullmatch("results/tables/y.csv") and not regex.fullmatch("results/data/x.csv")
    assert not re.compile(tracked_pattern_regex([])).fullmatch("results/tables/x.csv")


def test_sibling_outputs_bring_every_output_of_the_same_job():
    groups = [
        ["t/mae_summary.csv", "t/mae_summary.md", "t/mae_summary.tex"],
        ["f/{name}.pdf", "f/{name}.png"],
        ["t/loadings_d{d}.csv", "t/skill_coefficients_d{d}.tex"],
    ]
    paths = ["t/mae_summary.csv", "f/a.png", "f/a.pdf", "t/loadings_d3.csv", "elsewhere.txt"]
    assert sibling_outputs(paths, groups) == [
        "t/mae_summary.csv",
        "t/mae_summary.md",
        "t/mae_summary.tex",
        "f/a.png",
        "f/a.pdf",
        "t/loadings_d3.csv",
        "t/skill_coefficients_d3.tex",
        "elsewhere.txt",
    ]
