"""Sloth and its baselines (digest §3–5), interpretation (§9.1) and compute-optimal allocation (§12)."""
