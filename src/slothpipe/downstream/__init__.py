"""Downstream tasks (paper section 4.4, App. J, L) and the link-function curves of App. K (Figures 33–36)

* :mod:`.regression` — the logistic-link regression on skills, Ruan et al.'s PCA skills, task scores;
* :mod:`.skill_sources` — skills of every model for a setting (Sloth fit with held-out models, or PCA);
* :mod:`.link_curves` — registry methods' prediction curves versus size;
* :mod:`.figures` — the figures.
"""
