"""Sloth-skill predictors: skills from scores through the loadings; the law's forecast and its gaps."""

from __future__ import annotations

from slothpipe.obsscaling.sloth import estimate_skills, fit_sloth, law_skills

import numpy as np
from obsscaling_world import BASE_METRICS, synthetic_world


def base_frame():
    base = synthetic_world()["base"]
    return base.rename(
        columns={
            "Model": "model",
            "Model Family": "family",
            "Model Size (B)": "params_b",
            "Pretraining Data Size (T)": "tokens_t",
        }
    )


def test_skills_from_scores_invert_the_fitted_model():
    frame = base_frame()
    model = fit_sloth(frame, BASE_METRICS, n_skills=2, n_restarts=1, random_state=0)
    z = law_skills(model, frame)
    lam, b, g = model.loadings_, model.bias_, model.floors_
    scores = g + (1 - g) / (1 + np.exp(-(z @ lam.T + b)))  # noiseless scores of these skills
    scores[0, 3] = np.nan  # a missing benchmark is skipped
    est = estimate_skills(model, scores, start=z.mean(axis=0), ridge=1e-10)
    np.testing.assert_allclose(est, z, atol=1e-3)


def test_law_forecast_needs_size_and_tokens_and_falls_back_to_the_mean_intercept():
    frame = base_frame()
    model = fit_sloth(
        frame[frame["family"] != "Qwen"], BASE_METRICS, n_skills=2, n_restarts=1, random_state=0
    )
    rows = frame[frame["family"].isin(["Qwen", "OPT"])].reset_index(drop=True)
    rows.loc[0, "tokens_t"] = np.nan  # e.g. Mistral-7B: a size but no token count
    z = law_skills(model, rows)
    assert np.isnan(z[0]).all() and np.isfinite(z[1:]).all()
    X = np.column_stack([np.log10(rows["params_b"]), np.log10(rows["tokens_t"])])
    T = np.column_stack([X[:, 0], X[:, 1], X[:, 0] * X[:, 1]])
    qwen = (rows["family"] == "Qwen").to_numpy()
    assert qwen.sum() == 6 and not qwen[0]
    # Qwen has no training model: the mean of the fitted family intercepts
    np.testing.assert_allclose(z[qwen], T[qwen] @ model.slopes_ + model.intercepts_.mean(axis=0))
    opt = list(model.families_).index("OPT")
    np.testing.assert_allclose(z[1:6], T[1:6] @ model.slopes_ + model.intercepts_[opt])
