# Test-time compute scaling (paper section 4.5, Figure 7), made wherever its source can be downloaded.
#
#   download_test_time (checkpoint)  Hub / HF cache / mirror -> resources/raw/test_time/ + status (available?)
#   test_time_clean      the MATH_<Model>.json files + registry -> results/test_time/counts.parquet, manifest
#   test_time_skills     dataset -> {OUT}/test_time/skills.parquet (Sloth basic without the targets)
#   test_time_fit        counts + skills -> {OUT}/test_time/{irt.parquet, irt_info.json, curves.parquet}
#   test_time_table      -> {OUT}/tables/test_time_pass_at_k.csv
#   test_time_figure     -> {OUT}/figures/fig07_test_time.{pdf,png}
#
# The source is optional.  With an offline mirror that has no hub/<repo_id>/ directory nothing runs; otherwise
# download_test_time tries the Hub (or the HF cache under HF_HUB_OFFLINE=1) and records whether it could reach
# it.  Where it could not, `test_time_targets` (common.smk) asks for nothing and the run says once, at the
# planning of the stage, that Figure 7 was skipped and how to get it; the default run still completes.  The
# record stays: after a failed attempt, `--forcerun download_test_time` tries again.

import json
import sys

from slothpipe.test_time.monkey_data import mirror_keys

# The stage's settings (empty when the config has no test_time section: then no job of it is ever planned)
TT = TEST_TIME or {"source": "test_time", "files": {}, "targets": []}
TEST_TIME_OUTPUTS = (
    []
    if TEST_TIME is None
    else [
        "results/test_time/counts.parquet",
        f"results/data/manifests/{TT['source']}.json",
        *expand(
            f"{OUT}/test_time/{{name}}", name=["skills.parquet", "skills_loadings.csv", "skills_info.json"]
        ),
        *expand(f"{OUT}/test_time/{{name}}", name=["irt.parquet", "irt_info.json", "curves.parquet"]),
        f"{OUT}/tables/test_time_pass_at_k.csv",
        *expand(f"{OUT}/figures/fig07_test_time.{{ext}}", ext=["pdf", "png"]),
    ]
)


checkpoint download_test_time:
    """Fetch the test-time source's files (Hub, HF cache or mirror); record whether it could be reached."""
    input:
        code=code("test_time_download.py"),
    output:
        raw=directory("resources/raw/test_time"),
        status="resources/raw/test_time.json",
    log:
        "logs/test_time/download.log",
    benchmark:
        "logs/timings/test_time/download.tsv"
    conda:
        SOFTWARE_ENV
    resources:
        network=1,
        runtime=60,
    params:
        source=TT["source"],
        spec=lambda wc: config["sources"]["hub"][TT["source"]],
        files=TT["files"],
        # the sha256 of each mirror file (None online); the script reads the mirror's location from the config
        mirror_sha256=lambda wc: mirror_keys(
            OFFLINE_MIRROR, config["sources"]["hub"][TT["source"]]["repo_id"], TT["files"]
        ),
    script:
        "../scripts/test_time_download.py"


rule test_time_clean:
    """Correct-sample counts per model and MATH problem, checked against the download's manifests."""
    input:
        raw="resources/raw/test_time",
        status="resources/raw/test_time.json",
        registry=config["registry"],
        code=code("test_time_clean.py"),
    output:
        counts=tracked("results/test_time/counts.parquet"),
        manifest=tracked(f"results/data/manifests/{TT['source']}.json"),
    log:
        "logs/test_time/clean.log",
    benchmark:
        "logs/timings/test_time/clean.tsv"
    conda:
        SOFTWARE_ENV
    resources:
        # an array of records is read one record (one problem's 10,000 samples) at a time
        mem_mb=2000,
        runtime=30,
    params:
        files=TT["files"],
    script:
        "../scripts/test_time_clean.py"


rule test_time_skills:
    """Skills of every model from a Sloth basic fit without the targets (theirs from the scaling law)."""
    input:
        dataset=DATASET,
        code=code("downstream_skills.py"),
    output:
        skills=tracked(f"{OUT}/test_time/skills.parquet"),
        loadings=tracked(f"{OUT}/test_time/skills_loadings.csv"),
        info=tracked(f"{OUT}/test_time/skills_info.json"),
    log:
        f"logs/{OUT}/test_time/skills.log",
    benchmark:
        f"logs/timings/{OUT}/test_time/skills.tsv"
    conda:
        SOFTWARE_ENV
    resources:
        mem_mb=2000,
        runtime=60,
    params:
        spec=lambda wc: test_time_skill_params(),
    script:
        "../scripts/downstream_skills.py"


rule test_time_fit:
    """The IRT layer on the training models' counts; predicted and true pass@k of every model."""
    input:
        counts="results/test_time/counts.parquet",
        skills=f"{OUT}/test_time/skills.parquet",
        code=code("test_time_fit.py"),
    output:
        irt=tracked(f"{OUT}/test_time/irt.parquet"),
        info=tracked(f"{OUT}/test_time/irt_info.json"),
        curves=tracked(f"{OUT}/test_time/curves.parquet"),
    log:
        f"logs/{OUT}/test_time/fit.log",
    benchmark:
        f"logs/timings/{OUT}/test_time/fit.tsv"
    conda:
        SOFTWARE_ENV
    resources:
        runtime=30,
    params:
        targets=TT["targets"],
        irt=lambda wc: TEST_TIME["irt"],
        k_points=lambda wc: TEST_TIME["k_points"],
    script:
        "../scripts/test_time_fit.py"


rule test_time_table:
    """Predicted and true pass@k of the targets and the IRT training models at a log grid of k."""
    input:
        curves=f"{OUT}/test_time/curves.parquet",
        code=code("test_time_table.py"),
    output:
        csv=tracked(f"{OUT}/tables/test_time_pass_at_k.csv"),
    log:
        f"logs/{OUT}/tables/test_time_pass_at_k.log",
    conda:
        SOFTWARE_ENV
    resources:
        mem_mb=500,
        runtime=5,
    script:
        "../scripts/test_time_table.py"


rule test_time_figure:
    """Figure 7: coverage against k, ground truth (solid) and Sloth + IRT prediction (dashed)."""
    input:
        curves=f"{OUT}/test_time/curves.parquet",
        code=code("test_time_figure.py"),
    output:
        pdf=tracked(f"{OUT}/figures/fig07_test_time.pdf"),
        png=tracked(f"{OUT}/figures/fig07_test_time.png"),
    log:
        f"logs/{OUT}/figures/fig07_test_time.log",
    conda:
        SOFTWARE_ENV
    params:
        targets=TT["targets"],
    script:
        "../scripts/test_time_figure.py"
