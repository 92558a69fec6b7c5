"""The scikit-learn estimator protocol, with each hyper-parameter declared once and no run-time scikit-learn.

An estimator class is a dataclass of its hyper-parameters::

    @hyperparameters
    class MyRegressor(Estimator):
        n_components: int = 2      # positional-or-keyword
        _: KW_ONLY
        tol: float = 1e-6          # keyword-only

The dataclass writes ``__init__`` (which only stores its arguments, as scikit-learn requires), and
:class:`Estimator` derives ``get_params``, ``set_params``, ``repr`` and scikit-learn's tags from the same
declaration.  ``sklearn.clone`` works on these estimators (it only needs ``get_params`` and the constructor).
scikit-learn itself is imported only inside ``__sklearn_tags__``, which only scikit-learn calls.
"""

from __future__ import annotations

import dataclasses
from typing import Any


def hyperparameters(cls: type) -> type:
    """Class decorator: the annotated class attributes of ``cls`` are its hyper-parameters (a dataclass
    without generated ``__eq__`` and ``__repr__``: estimators compare by identity, as scikit-learn's)."""
    return dataclasses.dataclass(eq=False, repr=False)(cls)


class NotFittedError(ValueError, AttributeError):
    """An estimator was used before ``fit`` (a ``ValueError`` and ``AttributeError``, as scikit-learn's)."""


def _clone(value: Any) -> Any:
    """A new unfitted estimator with the same hyper-parameters (nested estimators cloned too); other values
    are returned as they are (as ``sklearn.clone(..., safe=False)`` for estimators only)."""
    if isinstance(value, Estimator):
        return type(value)(**{k: _clone(v) for k, v in value.get_params(deep=False).items()})
    return value


class Estimator:
    """Hyper-parameter access of a :func:`hyperparameters` class (scikit-learn's ``BaseEstimator`` protocol).

    Class attributes a subclass may set: ``_fitted_attribute`` (an attribute ``fit`` sets: the fitted check),
    ``_repr_skip`` (hyper-parameters left out of ``repr``, e.g. large arrays) and ``_sklearn_type``
    (``"regressor"``, ``"transformer"`` or None) with ``_sklearn_allow_nan`` (missing values in ``X``) and
    ``_sklearn_single_output`` (False: ``y`` must be 2-D, one column per output).
    """

    _fitted_attribute: str = ""
    _repr_skip: tuple[str, ...] = ()
    _sklearn_type: str | None = None
    _sklearn_allow_nan: bool = False
    _sklearn_single_output: bool = True

    @classmethod
    def _param_names(cls) -> list[str]:
        """The hyper-parameters in ``__init__``'s order (positional ones first)."""
        return [f.name for f in sorted(dataclasses.fields(cls), key=lambda f: f.kw_only)]

    def get_params(self, deep: bool = True) -> dict:
        """Hyper-parameters (with ``deep``, also those of nested estimators as ``name__param``)."""
        out: dict[str, Any] = {}
        for name in self._param_names():
            value = getattr(self, name)
            if deep and isinstance(value, Estimator):
                out.update((f"{name}__{k}", v) for k, v in value.get_params(deep=True).items())
            out[name] = value
        return out

    def set_params(self, **params):
        """Set hyper-parameters (``name__param`` sets a nested estimator's); returns ``self``."""
        valid = self._param_names()
        nested: dict[str, dict[str, Any]] = {}
        for key, value in params.items():
            name, _, sub = key.partition("__")
            if name not in valid:
                raise ValueError(
                    f"invalid parameter {name!r} for {type(self).__name__}; "
                    f"valid parameters: {', '.join(valid)}"
                )
            if sub:
                nested.setdefault(name, {})[sub] = value
            else:
                setattr(self, name, value)
        for name, sub_params in nested.items():
            getattr(self, name).set_params(**sub_params)
        return self

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._param_names() if k not in self._repr_skip)
        return f"{type(self).__name__}({args})"

    # -- fitted state --------------------------------------------------------------------------------------
    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, self._fitted_attribute)

    def _check_fitted(self) -> None:
        """Raise :class:`NotFittedError` unless ``fit`` has run."""
        if not self.__sklearn_is_fitted__():
            raise NotFittedError(f"this {type(self).__name__} is not fitted yet: call fit first")

    # -- scikit-learn's tags (called by scikit-learn only) ------------------------------------------------
    def __sklearn_tags__(self):
        from sklearn.utils import InputTags, RegressorTags, Tags, TargetTags, TransformerTags

        regressor = self._sklearn_type == "regressor"
        return Tags(
            estimator_type=self._sklearn_type,
            target_tags=TargetTags(
                required=regressor, multi_output=regressor, single_output=self._sklearn_single_output
            ),
            transformer_tags=TransformerTags() if hasattr(self, "transform") else None,
            regressor_tags=RegressorTags() if regressor else None,
            input_tags=InputTags(allow_nan=self._sklearn_allow_nan),
        )
