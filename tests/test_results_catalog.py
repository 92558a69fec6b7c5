"""results/README.md as the catalog of tracked results (slothpipe.catalog)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from slothpipe.catalog import UNLISTED, describe, entry_for, expand, read_catalog

import pytest

REPO = Path(__file__).resolve().parents[1]

README = """# results/

## Data (issue 2)

| file | rule | notes |
|---|---|---|
| `data/dataset.parquet` | `clean` | one row per model |

Some prose with a `data/not_a_row.csv` mention.

## Prediction experiment (issues 5, 10)

| file | paper | rule | comparison with the paper |
|---|---|---|---|
| `figures/fig01_errors_n1` | Fig. 1 | `heatmap_figure` | largest |Δ| 0.5 pp; see `tables/x.md` |
| `figures/fig02_loadings_d3`, `fig21_…_d2`, `tables/loadings_d{d}.csv` | Figs. 2, 21 | `skills_figure` | |

## Observational scaling (issue 12)

| file | source notebook / figure | rule | comparison |
|---|---|---|---|
| `tables/obsscaling_mse.csv` | `emergent.ipynb` | `obsscaling_tables` | within 3 % |
"""


def test_expand_alternatives_optional_parts_and_wildcards():
    assert expand("tables/mae_summary.{csv,md}") == ["tables/mae_summary.csv", "tables/mae_summary.md"]
    assert expand("figures/fig12_v1v2[_complete]") == [
        "figures/fig12_v1v2_complete.*",
        "figures/fig12_v1v2.*",
    ]
    assert expand("figures/motivation/{benchmark}") == ["figures/motivation/*.*"]
    assert expand("figures/fig22_…_d2") == ["figures/fig22_*_d2.*"]
    assert expand("interpretation/skills_d{2,3}.json") == [
        "interpretation/skills_d2.json",
        "interpretation/skills_d3.json",
    ]


def test_read_catalog_sections_columns_and_directories(tmp_path):
    path = tmp_path / "README.md"
    path.write_text(README, encoding="utf-8")
    data, fig01, skills, obs = read_catalog(path)

    assert (data.section, data.rule, data.paper) == ("Data", "clean", "")
    assert data.comparison == "one row per model"
    assert data.line == 7
    assert fig01.section == "Prediction experiment"
    assert fig01.comparison == "largest |Δ| 0.5 pp; see `tables/x.md`"  # a |Δ| inside a cell is not a border
    assert fig01.matches("figures/fig01_errors_n1.png") and fig01.matches("figures/fig01_errors_n1.pdf")
    assert not fig01.matches("figures/fig01_errors_n1_complete.png")
    # a pattern without a directory continues the previous pattern's directory
    assert skills.matches("figures/fig21_loadings_d2.pdf") and skills.matches("tables/loadings_d4.csv")
    assert not skills.matches("fig21_loadings_d2.pdf")
    assert (obs.section, obs.paper) == ("Observational scaling", "`emergent.ipynb`")
    assert obs.comparison == "within 3 %"
    assert fig01.caption() == (
        "Reproduces: Fig. 1. largest |Δ| 0.5 pp; see `tables/x.md`. Made by rule heatmap_figure."
    )


def test_entry_for_names_an_unlisted_file(tmp_path):
    path = tmp_path / "README.md"
    path.write_text(README, encoding="utf-8")
    entries = read_catalog(path)
    assert entry_for(entries, "data/dataset.parquet").rule == "clean"
    with pytest.raises(KeyError, match=r"results/data/other\.csv is not listed in results/README\.md"):
        entry_for(entries, "data/other.csv")
    assert describe(entries, "data/dataset.parquet").rule == "clean"
    other = describe(entries, "corrected/figures/fig01_errors_n1.png")
    assert other.section == UNLISTED and "not listed in results/README.md" in other.caption()


def test_every_tracked_result_is_listed_in_results_readme():
    listed = subprocess.run(["git", "ls-files", "results"], cwd=REPO, capture_output=True, text=True)
    if listed.returncode != 0 or not listed.stdout:
        pytest.skip("not a git checkout: the tracked files are unknown")
    entries = read_catalog(REPO / "results" / "README.md")
    files = [f.removeprefix("results/") for f in listed.stdout.split() if f != "results/README.md"]
    unlisted = [f for f in files if not any(entry.matches(f) for entry in entries)]
    assert not unlisted, unlisted
