"""Method registry and the per-fold entry point fit_predict."""

import hashlib
import subprocess
import sys
import textwrap

from slothpipe.models import CHANCE_LEVELS, METHODS, FitOptions, fit_predict
from slothpipe.models.methods import PAPER_ORDER, method_by_paper_code

import numpy as np
import pytest


def test_registry_has_the_28_paper_methods_in_figure_order():
    assert len(METHODS) == 28
    assert sorted(s.paper_index for s in METHODS.values()) == list(range(28))
    shown = [s.label for s in METHODS.values() if s.in_main_figures]
    expected = ["FLOPs (shared intercept)", "FLOPs", "Size and Tokens"]
    expected += [f"PCA + FLOPs (d={d})" for d in range(1, 5)]
    expected += [f"Sloth basic (d={d}) (shared intercept)" for d in range(1, 5)]
    expected += [f"Sloth (d={d}) (shared intercept)" for d in range(1, 5)]
    expected += [f"Sloth basic (d={d})" for d in range(1, 5)]
    expected += [f"Sloth (d={d})" for d in range(1, 5)]
    assert shown == expected
    assert list(METHODS)[: len(expected)] == [s.name for s in METHODS.values() if s.in_main_figures]
    assert METHODS["sloth_d2"].paper_code == "factor_trainlink_faminter_d=2"
    assert METHODS["size_tokens"].paper_code == "logSlogT_trainlink_faminter"
    assert method_by_paper_code("logF_sigmoid").name == "flops_shared"
    assert PAPER_ORDER[0] == "flops_shared" and PAPER_ORDER[27] == "sloth_d4"


def test_warm_starts_point_to_sigmoid_methods_of_the_same_structure():
    for spec in METHODS.values():
        if spec.warm_start is None:
            continue
        parent = METHODS[spec.warm_start]
        assert parent.settings["link"] == "sigmoid" and spec.settings["link"] == "monotone"
        assert parent.settings["intercept"] == spec.settings["intercept"]
        assert parent.settings.get("n_skills") == spec.settings.get("n_skills")


def test_chance_levels_table():
    assert CHANCE_LEVELS["Winogrande"] == 0.5 and CHANCE_LEVELS["BBH"] == 0.3407
    assert len(CHANCE_LEVELS) == 12


def test_paper_codes_match_the_reference_table(shared_dir):
    import pandas as pd

    codes = set(pd.read_csv(shared_dir / "reference" / "paper_mae_summary.csv")["method"])
    assert {s.paper_code for s in METHODS.values()} == codes


def _fold(sim):
    test = np.zeros(len(sim.families), dtype=bool)
    test[[4, 5, 10, 11]] = True  # the two largest models of fam0 and fam1
    return (sim.X[~test], sim.families[~test], sim.Y[~test], sim.X[test], sim.families[test])


BENCH = ["IFEval", "BBH", "MATH Lvl 5", "GPQA", "MUSR", "MMLU-PRO"]
SOME = ["flops", "size_tokens", "pca_flops_d2", "sloth_basic_d2", "sloth_d2", "sloth_shared_d1"]


def _digest(preds):
    h = hashlib.sha256()
    for name in sorted(preds):
        h.update(name.encode())
        h.update(np.ascontiguousarray(preds[name]).tobytes())
    return h.hexdigest()


@pytest.mark.slow(seconds=15)
def test_fit_predict_all_methods_shapes(sim):
    Xtr, ftr, Ytr, Xte, fte = _fold(sim)
    one_start = FitOptions(n_restarts=1)
    preds = fit_predict(None, Xtr, ftr, Ytr, Xte, fte, benchmarks=BENCH, n_train_models=1, options=one_start)
    assert list(preds) == list(METHODS)
    for name, p in preds.items():
        assert p.shape == (4, 6), name
        assert np.all(np.isfinite(p)), name
        if METHODS[name].kind != "pca":
            assert np.all((p >= 0) & (p <= 1)), name


def test_fit_predict_reuses_the_basic_fit_for_the_warm_start(sim, monkeypatch):
    import slothpipe.models.fitting as fitting

    calls = []
    real = fitting.make_estimator

    def spy(name, **kw):
        calls.append((getattr(name, "name", name), kw["init"] is not None))
        return real(name, **kw)

    monkeypatch.setattr(fitting, "make_estimator", spy)
    Xtr, ftr, Ytr, Xte, fte = _fold(sim)
    preds = fit_predict(
        ["sloth_d2", "sloth_basic_d2"], Xtr, ftr, Ytr, Xte, fte, benchmarks=BENCH, n_train_models=1
    )
    assert calls == [("sloth_basic_d2", False), ("sloth_d2", True)]  # one basic fit, shared
    assert list(preds) == ["sloth_d2", "sloth_basic_d2"]


def test_two_training_models_switch_flops_laws_to_family_slopes(sim):
    from slothpipe.models.fitting import make_estimator

    chance = np.array([CHANCE_LEVELS[b] for b in BENCH])
    assert make_estimator("flops", chance=chance, n_train_models=2).family_slopes is True
    assert make_estimator("flops_shared", chance=chance, n_train_models=2).family_slopes is True
    assert make_estimator("pca_flops_d1", chance=chance, n_train_models=2).family_slopes is True
    assert make_estimator("flops", chance=chance, n_train_models=1).family_slopes is False
    Xtr, ftr, Ytr, Xte, fte = _fold(sim)
    one = fit_predict(["pca_flops_d2"], Xtr, ftr, Ytr, Xte, fte, benchmarks=BENCH, n_train_models=1)
    two = fit_predict(["pca_flops_d2"], Xtr, ftr, Ytr, Xte, fte, benchmarks=BENCH, n_train_models=2)
    assert not np.allclose(one["pca_flops_d2"], two["pca_flops_d2"])


def test_fit_predict_is_deterministic_in_process_and_across_processes(sim, tmp_path):
    Xtr, ftr, Ytr, Xte, fte = _fold(sim)
    # one random start per fit: the seed still decides it, and the fits are a third as long
    kw = dict(benchmarks=BENCH, n_train_models=1, options=FitOptions(random_state=7, n_restarts=1))
    preds = fit_predict(SOME, Xtr, ftr, Ytr, Xte, fte, **kw)
    first = _digest(preds)
    second = _digest(fit_predict(SOME, Xtr, ftr, Ytr, Xte, fte, **kw))
    assert first == second
    other_seed = _digest(
        fit_predict(
            ["sloth_d2"],
            Xtr,
            ftr,
            Ytr,
            Xte,
            fte,
            **{**kw, "options": FitOptions(random_state=8, n_restarts=1)},
        )
    )
    assert other_seed != _digest({"sloth_d2": preds["sloth_d2"]})

    np.savez(tmp_path / "fold.npz", Xtr=Xtr, ftr=ftr, Ytr=Ytr, Xte=Xte, fte=fte)
    script = textwrap.dedent(
        f"""
        import hashlib, numpy as np
        from slothpipe.models import FitOptions, fit_predict
        z = np.load({str(tmp_path / "fold.npz")!r})
        preds = fit_predict({SOME!r}, z["Xtr"], z["ftr"], z["Ytr"], z["Xte"], z["fte"],
                            benchmarks={BENCH!r}, n_train_models=1,
                            options=FitOptions(random_state=7, n_restarts=1))
        h = hashlib.sha256()
        for name in sorted(preds):
            h.update(name.encode()); h.update(np.ascontiguousarray(preds[name]).tobytes())
        print(h.hexdigest())
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == first


def test_pca_flops_reproduces_the_paper_errors_exactly(data_v2, shared_dir):
    """PCA + FLOPs is deterministic: our folds and fits give the paper's MAE to 3 decimals (LB v2)."""
    import pandas as pd

    ref_dir = shared_dir / "reference"
    groups = pd.read_csv(ref_dir / "paper_test_groups.csv")
    paper = pd.read_csv(ref_dir / "paper_mae_summary.csv")
    for n_train in (1, 2):
        df = data_v2.dropna(subset=["#Params (B)", "Pretraining Data Size (T)", "Family2", *BENCH])
        counts = df["Family2"].value_counts()
        df = df[df["Family2"].map(counts) >= n_train + 1].sort_values(["Family2", "#Params (B)"])
        X = np.log(df[["#Params (B)", "Pretraining Data Size (T)"]].to_numpy())
        fam = df["Family2"].to_numpy().astype(str)
        Y = df[BENCH].to_numpy()
        errors = {d: [] for d in range(1, 5)}
        for families in groups.query("suite == 'v2' and n_train_models == @n_train")["families"]:
            test = np.zeros(len(df), dtype=bool)
            for f in families.split():
                idx = np.where(fam == f)[0]
                test[idx[n_train:]] = True
            names = [f"pca_flops_d{d}" for d in range(1, 5)]
            preds = fit_predict(
                names,
                X[~test],
                fam[~test],
                Y[~test],
                X[test],
                fam[test],
                benchmarks=BENCH,
                n_train_models=n_train,
            )
            for d in range(1, 5):
                errors[d].append(100 * np.abs(preds[f"pca_flops_d{d}"] - Y[test]).mean())
        for d in range(1, 5):
            sel = (
                (paper["suite"] == "v2")
                & (paper["n_train_models"] == n_train)
                & (paper["method"] == f"pca_d={d}")
            )
            row = paper[sel]
            assert np.mean(errors[d]) == pytest.approx(float(row["mae_pp"].iloc[0]), abs=6e-4)
