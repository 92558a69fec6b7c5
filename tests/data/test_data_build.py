"""The clean step on synthetic inputs: values, provenance, metadata, unmatched table, the Snakemake script."""

from __future__ import annotations

import logging
import math
import re
import runpy
from pathlib import Path
from types import SimpleNamespace

from slothpipe.data import BENCHMARKS, DATASET_COLUMNS, UNMATCHED_COLUMNS, build_dataset, name_stem
from slothpipe.errors import DataError
from slothpipe.io import sha256_file, write_json

import numpy as np
import pandas as pd
import pytest
from synthetic_sources import V2_SCHEMA, V2_SCORES, v2_entry, write_leaderboard

REPO_ROOT = Path(__file__).resolve().parents[2]
SCALE = ["params_b", "tokens_t", "flops_1e21", "log_params", "log_tokens", "log_flops"]


def build(world, metadata="paper", humaneval=True):
    return build_dataset(
        world["registry"],
        {key: world[key] for key in CLEAN_SOURCES},
        world["humaneval"] if humaneval else None,
        metadata=metadata,
    )


def test_dataset_columns_order_and_types(synthetic_world):
    dataset, unmatched = build(synthetic_world)
    assert tuple(dataset.columns) == DATASET_COLUMNS
    assert tuple(unmatched.columns) == UNMATCHED_COLUMNS
    assert list(dataset["model"]) == ["alpha-1b", "alpha-7b", "alpha-7b-chat", "beta-3b", "gamma-2b"]
    assert dataset["instruct"].dtype == bool
    for col in ("row_v1", "row_v1_fill", "row_v2", "row_humaneval"):
        assert str(dataset[col].dtype) == "Int64"
    for col in (*SCALE, *BENCHMARKS, "HumanEval"):
        assert dataset[col].dtype == np.float64


def test_row_order_does_not_depend_on_registry_order(synthetic_world):
    path = synthetic_world["registry"]
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0], *reversed(lines[1:])]) + "\n")
    assert list(build(synthetic_world).dataset["model"]) == sorted(build(synthetic_world).dataset["model"])


def test_values_and_provenance(synthetic_world):
    d = build(synthetic_world).dataset.set_index("model")

    a1 = d.loc["alpha-1b"]  # Ruan primary, complete
    assert [a1[b] for b in ("MMLU", "ARC", "HellaSwag", "Winogrande", "TruthfulQA", "GSM8K")] == [
        0.25, 0.3, 0.4, 0.5, 0.35, 0.01
    ]  # fmt: skip
    assert (a1["source_v1"], a1["row_v1"]) == ("obsscaling_base", 0)
    assert pd.isna(a1["fill_v1"]) and pd.isna(a1["source_v1_fill"]) and pd.isna(a1["row_v1_fill"])
    assert (a1["IFEval"], a1["source_v2"], a1["row_v2"]) == (0.2, "leaderboard_v2", 3)
    assert (a1["HumanEval"], a1["source_humaneval"], a1["row_humaneval"]) == (0.05, "obsscaling_base", 0)

    a7 = d.loc["alpha-7b"]  # Ruan primary lacking ARC, filled from leaderboard v1 (percent / 100)
    assert a7["MMLU"] == 0.55 and a7["ARC"] == pytest.approx(0.6)
    assert (a7["fill_v1"], a7["source_v1_fill"], a7["row_v1_fill"]) == ("ARC", "leaderboard_v1", 1)
    assert (a7["BBH"], a7["row_v2"]) == (0.61, 0)  # v2 duplicates: the first row wins

    chat = d.loc["alpha-7b-chat"]  # Ruan's instruct table; EvalPlus overrides Ruan's HumanEval
    assert chat["instruct"] and chat["base_model"] == "alpha-7b"
    assert (chat["Winogrande"], chat["source_v1"], chat["row_v1"]) == (0.69, "obsscaling_instruct", 1)
    assert (chat["HumanEval"], chat["source_humaneval"], chat["row_humaneval"]) == (
        0.25,
        "humaneval_evalplus",
        0,
    )
    assert chat[["IFEval", "BBH"]].isna().all() and pd.isna(chat["source_v2"])

    beta = d.loc["beta-3b"]  # leaderboard v1 first (latest of two rows), Ruan fills GSM8K and HumanEval
    assert (beta["source_v1"], beta["row_v1"]) == ("leaderboard_v1", 4)
    assert beta["MMLU"] == pytest.approx(0.30)
    assert (beta["GSM8K"], beta["fill_v1"], beta["source_v1_fill"], beta["row_v1_fill"]) == (
        0.05, "GSM8K", "obsscaling_base", 2
    )  # fmt: skip
    assert (beta["HumanEval"], beta["source_humaneval"]) == (0.1, "obsscaling_base")

    gamma = d.loc["gamma-2b"]
    assert gamma[[*BENCHMARKS, "HumanEval"]].isna().all()
    assert gamma[["source_v1", "source_v2", "source_humaneval"]].isna().all()


def test_scale_columns(synthetic_world):
    d = build(synthetic_world).dataset.set_index("model")
    a7 = d.loc["alpha-7b"]
    assert (a7["params_b"], a7["tokens_t"], a7["flops_1e21"]) == (7.0, 2.0, 84.0)
    assert a7["log_params"] == pytest.approx(math.log(7))
    assert a7["log_tokens"] == pytest.approx(math.log(2))
    assert a7["log_flops"] == pytest.approx(math.log(84))
    beta = d.loc["beta-3b"]  # no tokens: FLOPs and their logs are NaN, log size is not
    assert beta["log_params"] == pytest.approx(math.log(3))
    assert beta[["tokens_t", "flops_1e21", "log_tokens", "log_flops"]].isna().all()


def test_metadata_changes_scale_columns_only(synthetic_world):
    paper = build(synthetic_world, "paper").dataset
    corrected = build(synthetic_world, "corrected").dataset
    other = [c for c in DATASET_COLUMNS if c not in SCALE]
    pd.testing.assert_frame_equal(paper[other], corrected[other])
    changed = ~np.isclose(paper["params_b"], corrected["params_b"])
    assert list(paper.loc[changed, "model"]) == ["alpha-7b"]
    a7 = corrected.set_index("model").loc["alpha-7b"]
    assert (a7["params_b"], a7["flops_1e21"]) == (7.5, 90.0)
    assert a7["log_flops"] == pytest.approx(math.log(90))


def test_without_evalplus_file_humaneval_comes_from_ruan(synthetic_world):
    d = build(synthetic_world, humaneval=False).dataset.set_index("model")
    assert (d.loc["alpha-7b-chat", "HumanEval"], d.loc["alpha-7b-chat", "source_humaneval"]) == (
        0.2, "obsscaling_instruct"
    )  # fmt: skip


def test_unmatched_table(synthetic_world):
    unmatched = build(synthetic_world).unmatched
    got = [
        tuple(None if pd.isna(v) else v for v in r)
        for r in unmatched[["kind", "source", "row", "name", "model"]].values
    ]
    assert got == [
        ("registry_link_missing", "leaderboard_v2", None, "org/gamma-2b-old", "gamma-2b"),
        ("registry_model_without_scores", None, None, "org/gamma-2b", "gamma-2b"),
        ("unlinked_registry_model", "leaderboard_v2", 2, "org/beta-3b", "beta-3b"),
        ("family_lookalike", "leaderboard_v1", 0, "org/alpha-13b", None),
    ]
    look = unmatched.iloc[3]
    assert (look["family"], look["variant_family"]) == ("fam", "fam;fam-chat")
    assert "organisation 'org' and name prefix 'alpha'" in look["detail"]
    assert unmatched.iloc[2]["detail"] == "registry model beta-3b is not linked to leaderboard_v2"


def test_a_missing_primary_link_falls_back_to_the_leaderboard(synthetic_world):
    path = synthetic_world["registry"]
    path.write_text(
        path.read_text().replace("obsscaling_base,org/alpha-7b,", "obsscaling_base,org/alpha-7b-gone,")
    )
    dataset, unmatched = build(synthetic_world)
    a7 = dataset.set_index("model").loc["alpha-7b"]
    assert (a7["source_v1"], a7["MMLU"], a7["ARC"]) == ("leaderboard_v1", 0.6, 0.6)
    assert pd.isna(a7["HumanEval"])
    missing = unmatched[unmatched["kind"] == "registry_link_missing"]
    assert list(zip(missing["source"], missing["name"], strict=True)) == [
        ("leaderboard_v2", "org/gamma-2b-old"),
        ("obsscaling_base", "org/alpha-7b-gone"),
    ]


def test_evalplus_file_is_validated_against_the_registry(synthetic_world):
    synthetic_world["humaneval"].write_text("model,score,source\nalpha-7b-chat,0.25,x\ndelta-1b,0.5,x\n")
    with pytest.raises(DataError) as info:
        build(synthetic_world)
    where = f"{synthetic_world['humaneval']}, line 3, column 'model'"
    assert str(info.value) == f"{where}: unknown model 'delta-1b' (not in the registry)"
    synthetic_world["humaneval"].write_text("model,score,source\nalpha-7b-chat,25,x\n")
    with pytest.raises(DataError, match=re.escape("line 2, column 'score': score 25 outside [0, 1]")):
        build(synthetic_world)
    synthetic_world["humaneval"].write_text("model,score\nalpha-7b-chat,0.2\n")
    with pytest.raises(DataError, match=re.escape("line 1, column 'source': missing required column")):
        build(synthetic_world)


@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("Qwen/Qwen2-7B-Instruct", "qwen2"),
        ("Qwen/Qwen1.5-0.5B-Chat", "qwen1.5"),
        ("meta-llama/Meta-Llama-3-8B", "meta-llama-3"),
        ("mistralai/Mixtral-8x7B-v0.1", "mixtral-8x"),
        ("bigscience/bloom", "bloom"),
        ("bigscience/bloom-7b1", "bloom"),
        ("RWKV/rwkv-4-1b5-pile", "rwkv-4"),
        ("stabilityai/stablelm-2-1_6b", "stablelm-2"),
        ("openlm-research/open_llama_3b_v2", "open_llama"),
        ("cognitivecomputations/dolphin-2.9.1-yi-1.5-34b", "dolphin-2.9.1-yi-1.5"),
        ("microsoft/phi-1_5", "phi-1_5"),
        ("gpt2-large", "gpt2-large"),
    ],
)
def test_name_stem(name, stem):
    assert name_stem(name) == stem


# ---- the Snakemake script, run as Snakemake would (a `snakemake` object in its globals)

SCRIPT = REPO_ROOT / "workflow" / "scripts" / "clean.py"


CLEAN_SOURCES = ("leaderboard_v1", "leaderboard_v2", "obsscaling_base", "obsscaling_instruct")


def write_manifests(world, out_dir: Path) -> list[str]:
    """Manifests of the world's raw files, as the download rules write them."""
    paths = []
    for source in CLEAN_SOURCES:
        raw = world[source]
        manifest = {"source": source, "kind": "hub" if "leaderboard" in source else "github"}
        manifest.update(size=raw.stat().st_size, sha256=sha256_file(raw))
        path = out_dir / "manifests" / f"{source}.json"
        write_json(manifest, path)
        paths.append(str(path))
    return paths


def run_script(world, out_dir: Path, metadata="paper", manifests=None):
    if manifests is None:
        manifests = write_manifests(world, out_dir.parent / f"{out_dir.name}_manifests")
    snakemake = SimpleNamespace(
        input=SimpleNamespace(**{k: str(v) for k, v in world.items()}, manifests=manifests),
        output=SimpleNamespace(
            dataset=str(out_dir / "dataset.parquet"), unmatched=str(out_dir / "unmatched.csv")
        ),
        params=SimpleNamespace(metadata=metadata, sources=CLEAN_SOURCES),
        log=[str(out_dir / "clean.log")],
        rule="clean",
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    runpy.run_path(str(SCRIPT), init_globals={"snakemake": snakemake})
    return Path(snakemake.output.dataset), Path(snakemake.output.unmatched)


def test_clean_script_writes_deterministic_outputs(synthetic_world, tmp_path):
    ds1, un1 = run_script(synthetic_world, tmp_path / "a")
    ds2, un2 = run_script(synthetic_world, tmp_path / "b")
    assert ds1.read_bytes() == ds2.read_bytes() and un1.read_bytes() == un2.read_bytes()
    back = pd.read_parquet(ds1)
    assert tuple(back.columns) == DATASET_COLUMNS and len(back) == 5
    assert list(pd.read_csv(un1)["kind"]) == [
        "registry_link_missing",
        "registry_model_without_scores",
        "unlinked_registry_model",
        "family_lookalike",
    ]
    assert [p.name for p in (tmp_path / "a").iterdir() if p.name.startswith(".")] == []


def test_clean_script_fails_cleanly_without_partial_outputs(synthetic_world, tmp_path, capsys):
    path = synthetic_world["registry"]
    path.write_text(path.read_text().replace(",7,2,7.5,", ",7,two,7.5,"))
    with pytest.raises(SystemExit) as info:
        run_script(synthetic_world, tmp_path / "out")
    assert info.value.code == 1
    err = capsys.readouterr().err
    assert f"{path}, line 3, column 'tokens_t_paper': malformed number 'two'" in err
    assert "Traceback" not in err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["clean.log"]


def test_clean_refuses_a_download_that_no_longer_matches_its_manifest(synthetic_world, tmp_path, capsys):
    # Issue 11, finding 3: a cached download changed after it was fetched (here: truncated) was read as it is.
    manifests = write_manifests(synthetic_world, tmp_path / "manifests")
    raw = synthetic_world["leaderboard_v2"]
    raw.write_bytes(raw.read_bytes()[:100])
    with pytest.raises(SystemExit):
        run_script(synthetic_world, tmp_path / "out", manifests=manifests)
    err = capsys.readouterr().err
    assert f"{raw} does not match its manifest results/data/manifests/leaderboard_v2.json" in err
    assert "Fetch it again: snakemake --forcerun download_hub" in err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["clean.log"]


def test_a_missing_score_of_a_registry_model_is_reported_and_logged(synthetic_world, caplog):
    # Issue 11, finding 2: a NaN score in a linked leaderboard row used to pass silently (the model then left
    # every suite with that benchmark).  Now each one is a `missing_score` row of unmatched.csv and a warning.
    v2 = [
        v2_entry("org/alpha-7b", {**{b: 0.61 for b in V2_SCORES}, "MUSR": None, "GPQA": float("nan")}),
        v2_entry("org/alpha-1b", 0.2),
    ]
    write_leaderboard(synthetic_world["leaderboard_v2"], V2_SCHEMA, v2)
    with caplog.at_level(logging.WARNING, logger="slothpipe.data.build"):
        dataset, unmatched = build(synthetic_world)
    missing = unmatched[unmatched["kind"] == "missing_score"]
    assert missing[["source", "row", "name", "model"]].values.tolist() == [
        ["leaderboard_v2", 0, "org/alpha-7b", "alpha-7b"],
        ["leaderboard_v2", 0, "org/alpha-7b", "alpha-7b"],
    ]
    assert sorted(d.split(":")[0] for d in missing["detail"]) == ["GPQA", "MUSR"]
    assert dataset.set_index("model").loc["alpha-7b", ["GPQA", "MUSR"]].isna().all()
    warnings = [r.getMessage() for r in caplog.records if r.getMessage().startswith("missing score")]
    assert len(warnings) == 2 and all("model alpha-7b" in w and "leaderboard_v2 row 0" in w for w in warnings)
