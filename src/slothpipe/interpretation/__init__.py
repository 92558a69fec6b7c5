"""Interpretation of fitted skills (paper §4.3, §4.6, App. A.1, B, D, I) and the analyses built on them.

* :mod:`.skills_model` — the skills model fitted on every usable model (Sloth basic, log10 units).
* :mod:`.rotation` — whitening, geomin-oblique rotation, sign fix, centring and content-based skill names.
* :mod:`.compute_optimal` — compute-optimal allocation of parameters and tokens for a skill.
* :mod:`.records` — the interpretation file (one fitted, interpreted model as JSON).
* :mod:`.products` — the interpretation stage's data products (tables, figure data) read from those files.
"""
