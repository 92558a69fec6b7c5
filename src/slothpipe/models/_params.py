"""Hyper-parameter access shared by the estimators (scikit-learn's ``get_params`` and ``repr``)."""

from __future__ import annotations


class ParamsMixin:
    """``get_params`` and ``__repr__`` from the class's ``_param_names`` (the ``__init__`` keywords).

    ``_repr_skip`` names parameters left out of ``repr`` (e.g. a fitted warm-start estimator).
    """

    _param_names: tuple[str, ...] = ()
    _repr_skip: tuple[str, ...] = ()

    def get_params(self, deep: bool = True) -> dict:
        """Hyper-parameters, as scikit-learn's ``BaseEstimator.get_params``."""
        return {name: getattr(self, name) for name in self._param_names}

    def __repr__(self) -> str:
        names = [k for k in self._param_names if k not in self._repr_skip]
        args = ", ".join(f"{k}={getattr(self, k)!r}" for k in names)
        return f"{type(self).__name__}({args})"
