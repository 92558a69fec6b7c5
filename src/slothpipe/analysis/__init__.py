"""Analyses beyond the prediction experiment: skills, compute-optimal allocation, downstream tasks."""
