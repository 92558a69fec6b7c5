"""Ruan et al.'s observational scaling laws and their three applications, with Sloth skills beside them.

* :mod:`.readers` — the five ObsScaling tables: read, validate, clean.
* :mod:`.method` — imputation, PCA, sigmoid-link regression, splits, equivalent FLOPs, MSE.
* :mod:`.applications` — emergent, agentic and post-training targets: fits at the configured split, sweeps.
* :mod:`.sloth` — Sloth-skill predictors on the same splits.
* :mod:`.mse_tables`, :mod:`.scaling_plots` — the output tables and Ruan-style figures.
"""

from slothpipe.leaderboards import source_columns

# Metric columns of the base and instruct tables: their columns of the benchmark table's benchmarks (the fill
# columns of slothpipe.leaderboards), then the metrics only these tables have.  They are defined here rather
# than in .data, which imports pandas: the config check needs them while Snakemake parses the workflow.
BASE_METRICS = (*source_columns("obsscaling_base"), "XWinograd", "HumanEval")
INSTRUCT_METRICS = (*source_columns("obsscaling_instruct"), "HumanEval")
#: Every metric name of the two tables (the values allowed in the config's obsscaling.metric_sets).
METRICS = tuple(dict.fromkeys(BASE_METRICS + INSTRUCT_METRICS))
