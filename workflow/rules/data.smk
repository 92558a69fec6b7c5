# Data stage: download the raw sources, then clean them into one validated dataset.
#
#   download_hub     Hugging Face Hub dataset repos (leaderboard v1 and v2) -> resources/raw/{source}.parquet
#   download_github  files of GitHub repositories at a pinned commit      -> resources/raw/{source}.csv
#   clean            raw files + config/models.csv                         -> results/data/dataset.parquet
#   clean_corrected  the same with the registry's corrected facts          -> results/data/dataset_corrected.parquet
#
# `config["metadata"]` picks which of the two datasets the later stages read (DATASET in common.smk): the
# paper's facts (default, the tracked reproduction) or the corrected ones (outputs under results/corrected/).
#
# Every download writes a manifest (repo, requested and resolved revision, path, size, sha256) under
# results/data/manifests/.  A download re-runs when its output is missing, its settings change or, with an
# offline mirror, the content of its mirror file changes (the file's sha256 is a parameter; the mirror's
# location is not, so pointing `offline_mirror` at a copy re-runs only the sources whose content differs).
# Online, after a leaderboard update re-run it with `snakemake --forcerun download_hub` (or pin a new
# revision in the config).  `clean` refuses a downloaded file that no longer matches its manifest.

# Both datasets are cheap and tracked, so the default target keeps both up to date.
DATA_OUTPUTS = [
    "results/data/dataset.parquet",
    "results/data/dataset_corrected.parquet",
    "results/data/unmatched.csv",
    *expand("results/data/manifests/{source}.json", source=HUB_SOURCES + GITHUB_SOURCES),
]


from slothpipe.data.schema import CLEAN_SOURCES
from slothpipe.download import mirror_content_key


rule download_hub:
    """Download a leaderboard file from the Hugging Face Hub (or the mirror); write its manifest."""
    input:
        code=code("download_hub.py"),
    output:
        raw="resources/raw/{source}.parquet",
        manifest=tracked("results/data/manifests/{source}.json"),
    log:
        "logs/download_hub/{source}.log",
    benchmark:
        "logs/timings/download_hub/{source}.tsv"
    wildcard_constraints:
        source="|".join(HUB_SOURCES),
    conda:
        SOFTWARE_ENV
    resources:
        network=1,
        runtime=30,
    params:
        spec=lambda wc: config["sources"]["hub"][wc.source],
        # the mirror file's sha256 (None online); the script reads the mirror's location from the config
        mirror_sha256=lambda wc: mirror_content_key(
            OFFLINE_MIRROR,
            config["sources"]["hub"][wc.source]["repo_id"],
            config["sources"]["hub"][wc.source]["file_glob"],
        ),
    script:
        "../scripts/download_hub.py"


rule download_github:
    """Download one of Ruan et al.'s tables from GitHub at a pinned commit; write its manifest."""
    input:
        code=code("download_github.py"),
    output:
        raw="resources/raw/{source}.csv",
        manifest=tracked("results/data/manifests/{source}.json"),
    log:
        "logs/download_github/{source}.log",
    benchmark:
        "logs/timings/download_github/{source}.tsv"
    wildcard_constraints:
        source="|".join(GITHUB_SOURCES),
    conda:
        SOFTWARE_ENV
    resources:
        network=1,
    params:
        # content pinned by its sha256; the script reads the mirror's location from the config
        spec=lambda wc: config["sources"]["github"][wc.source],
    script:
        "../scripts/download_github.py"


rule clean:
    """Join the raw sources with config/models.csv into the validated dataset (the paper's metadata)."""
    input:
        # the downloads `clean` reads (each checked against its manifest before use), from the source table
        **raw_files(CLEAN_SOURCES),
        registry=config["registry"],
        humaneval="config/downstream/humaneval_evalplus.csv",
        manifests=expand("results/data/manifests/{source}.json", source=CLEAN_SOURCES),
        code=code("clean.py"),
    output:
        dataset=tracked("results/data/dataset.parquet"),
        unmatched=tracked("results/data/unmatched.csv"),
    log:
        "logs/clean.log",
    benchmark:
        "logs/timings/clean.tsv"
    conda:
        SOFTWARE_ENV
    resources:
        mem_mb=2000,
    params:
        metadata="paper",
        sources=CLEAN_SOURCES,
    script:
        "../scripts/clean.py"


use rule clean as clean_corrected with:
    """The same dataset with the registry's corrected sizes and tokens."""
    output:
        dataset=tracked("results/data/dataset_corrected.parquet"),
        unmatched=tracked("results/data/unmatched_corrected.csv"),
    log:
        "logs/clean_corrected.log",
    benchmark:
        "logs/timings/clean_corrected.tsv"
    params:
        metadata="corrected",
        sources=CLEAN_SOURCES,
