"""Ruan et al.'s observational scaling laws and their three applications, with Sloth skills beside them.

* :mod:`.data` — the five ObsScaling tables: read, validate, clean.
* :mod:`.method` — imputation, PCA, sigmoid-link regression, splits, equivalent FLOPs, MSE.
* :mod:`.applications` — emergent, agentic and post-training targets: fits at the configured split, sweeps.
* :mod:`.sloth` — Sloth-skill predictors on the same splits.
* :mod:`.tables`, :mod:`.figures` — the output tables and Ruan-style figures.
"""
