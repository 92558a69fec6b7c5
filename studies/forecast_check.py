"""The forecast command checked from outside, as a new user would run it (issue 23, "Done when").

1. Every original family of the dataset with at least two scored models of one variant family, on each
   leaderboard (v1, v2, v1+v2): one request per family and leaderboard, the smallest scored model of each
   such variant family known, the rest targets, the whole original family excluded (``--exclude-family``,
   which also keeps it out of the calibration).
2. Eight real leaderboard models that are not in the dataset (48 predictions), with their sizes and token
   counts from their model cards (:data:`NEW_MODELS`): new families given by their own small model (Llama 3.1,
   Gemma 1.1), and new members of the dataset's families (whose dataset models are the known models).

Every forecast runs ``python -m slothpipe.forecast`` in a subprocess with the defaults (the validated default
method, 90 % intervals).  Prints coverage of the intervals pooled and per leaderboard, the share of the 48
inside, the mean width, and the mean width of the narrowest constant band ``ŷ ± w`` (clipped to [0, 1]) that
covers as often.  Run from the repository root after the pipeline has made the tracked results, with
``../shared`` holding the leaderboards.  Writes ``studies/forecast_check.csv`` (ignored by git).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from slothpipe.data.sources import read_leaderboard
from slothpipe.forecast.new_models import suite_benchmarks

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
LEADERBOARD_FILES = {
    "v1": SHARED / "hub/open-llm-leaderboard-old/contents/data/train-00000-of-00001.parquet",
    "v2": SHARED / "hub/open-llm-leaderboard/contents/data/train-00000-of-00001.parquet",
}
#: (leaderboard, the target's name there, model, family, params_b, tokens_t, known [(name, model, params_b)]).
#: Sizes and tokens from the model cards; where a family of the dataset is named, its models are known too.
NEW_MODELS = [
    ("v2", "meta-llama/Meta-Llama-3.1-70B", "llama-3.1-70b", "llama-3.1", 70, 15,
     [("meta-llama/Meta-Llama-3.1-8B", "llama-3.1-8b", 8)]),
    ("v2", "meta-llama/Meta-Llama-3.1-70B-Instruct", "llama-3.1-70b-instruct", "llama-3.1-instruct", 70, 15,
     [("meta-llama/Meta-Llama-3.1-8B-Instruct", "llama-3.1-8b-instruct", 8)]),
    ("v2", "google/gemma-1.1-7b-it", "gemma-1.1-7b-it", "gemma-1.1-it", 7, 6,
     [("google/gemma-1.1-2b-it", "gemma-1.1-2b-it", 2)]),
    ("v2", "tiiuae/falcon-11B", "falcon-11b", "falcon", 11, 5, []),
    ("v1", "stabilityai/stablelm-2-12b", "stablelm-2-12b", "stablelm-2-1_", 12, 2, []),
    ("v1", "bigscience/bloom-1b7", "bloom-1b7", "bloom", 1.7, 0.341, []),
    ("v1", "mosaicml/mpt-7b-8k", "mpt-7b-8k", "mpt", 7, 1.5, []),
    ("v1", "allenai/OLMo-1.7-7B-hf", "olmo-1.7-7b", "olmo", 7, 2.05, []),
]  # fmt: skip


def run(request: pd.DataFrame, leaderboard: str, exclude: list[str], tmp: Path) -> pd.DataFrame:
    path, out = tmp / "request.csv", tmp / "out.csv"
    request.to_csv(path, index=False)
    cmd = [
        sys.executable,
        "-m",
        "slothpipe.forecast",
        str(path),
        "--leaderboard",
        leaderboard,
        "--out",
        str(out),
    ]
    for family in exclude:
        cmd += ["--exclude-family", family]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    return pd.read_csv(out)


def family_requests(dataset: pd.DataFrame, leaderboard: str):
    """(original family, request, truth) of each original family with a variant family of 2+ scored models."""
    benchmarks = suite_benchmarks(leaderboard)
    scored = dataset.dropna(subset=["params_b", "tokens_t", *benchmarks])
    for family, rows in scored.groupby("family", sort=True):
        parts = []
        for _, sub in rows.groupby("variant_family", sort=True):
            if len(sub) < 2:
                continue
            sub = sub.sort_values(["params_b", "model"], kind="mergesort")
            req = sub[["model", "variant_family", "params_b", "tokens_t", *benchmarks]].rename(
                columns={"variant_family": "family"}
            )
            req.loc[req.index[1:], benchmarks] = np.nan
            parts.append(req)
        if parts:
            request = pd.concat(parts)
            yield family, request, rows.set_index("model")[benchmarks]


def leaderboard_scores(leaderboard: str, name: str) -> pd.Series:
    table = read_leaderboard(LEADERBOARD_FILES[leaderboard], leaderboard)
    rows = table[table["name"] == name]
    if rows.empty:
        raise KeyError(f"{name} is not on leaderboard {leaderboard}")
    return rows.iloc[-1][suite_benchmarks(leaderboard)].astype(float)


def constant_band_width(rows: pd.DataFrame, coverage: float) -> float:
    """Mean width of the narrowest ŷ ± w (clipped to [0, 1]) that covers ``coverage`` of the rows."""
    err = np.sort(np.abs(rows["predicted"] - rows["truth"]).to_numpy())
    w = err[min(int(np.ceil(coverage * len(err))) - 1, len(err) - 1)]
    lo, hi = np.clip(rows["predicted"] - w, 0, 1), np.clip(rows["predicted"] + w, 0, 1)
    return float(np.mean(hi - lo))


def main() -> None:
    dataset = pd.read_parquet(ROOT / "results" / "data" / "dataset.parquet")
    pieces = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for leaderboard in ("v1", "v2", "v1+v2"):
            for family, request, truth in family_requests(dataset, leaderboard):
                out = run(request, leaderboard, [family], tmp)
                out["truth"] = [truth.loc[m, b] for m, b in zip(out["model"], out["benchmark"], strict=True)]
                pieces.append(out.assign(check="dataset families", leaderboard=leaderboard, family=family))
                print(f"{leaderboard} {family}: {len(out)} forecasts", flush=True)
        for leaderboard, name, model, family, params, tokens, known in NEW_MODELS:
            rows = [dict(model=model, family=family, params_b=params, tokens_t=tokens)]
            for known_name, known_model, known_params in known:
                scores = leaderboard_scores(leaderboard, known_name)
                rows.append(
                    dict(model=known_model, family=family, params_b=known_params, tokens_t=tokens, **scores)
                )
            out = run(pd.DataFrame(rows), leaderboard, [], tmp)
            truth = leaderboard_scores(leaderboard, name)
            out["truth"] = truth[out["benchmark"]].to_numpy()
            pieces.append(out.assign(check="new leaderboard models", leaderboard=leaderboard, family=family))
    result = pd.concat(pieces, ignore_index=True)
    result["inside"] = (result["truth"] >= result["lower"]) & (result["truth"] <= result["upper"])
    result["width"] = result["upper"] - result["lower"]
    result.to_csv(ROOT / "studies" / "forecast_check.csv", index=False)
    fam = result[result["check"] == "dataset families"]
    new = result[result["check"] == "new leaderboard models"]
    print(f"method: {result['method'].iloc[0]}")
    print(f"dataset families: {len(fam)} predictions, {fam['family'].nunique()} original families")
    print(f"  pooled coverage {fam['inside'].mean():.3f}")
    for lb, rows in fam.groupby("leaderboard"):
        print(f"  {lb}: coverage {rows['inside'].mean():.3f} ({len(rows)} predictions)")
    band = constant_band_width(fam, fam["inside"].mean())
    print(
        f"  mean width {fam['width'].mean():.4f}; constant band covering as often {band:.4f}; ratio "
        f"{fam['width'].mean() / band:.3f}"
    )
    print(f"new leaderboard models: {new['inside'].sum()} of {len(new)} inside ({new['inside'].mean():.3f})")
    print(new.groupby("model")["inside"].agg(["sum", "size"]).to_string())


if __name__ == "__main__":
    main()
