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

Each hyper-parameter's allowed values are declared once, next to the estimator, in its class attribute
``_parameter_constraints`` (as scikit-learn's): name -> a list of constraints, any one of which admits a
value::

    _parameter_constraints = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "solver": [StrOptions(("lbfgs", "adam_paper"))],
        "random_state": ["seed", None],
    }

A constraint is ``None`` (the value None), a type (an instance of it), ``"boolean"``, ``"seed"`` (an integer
seed >= 0), ``"no_validation"`` (checked elsewhere, e.g. against the data in ``fit``), :class:`Interval` or
:class:`StrOptions`.  :meth:`Estimator._validate_params` (called at the start of ``fit``) checks every
hyper-parameter against the table with :func:`validate_params`, which other settings objects use too.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping
from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np


# -- the constraint vocabulary ------------------------------------------------------------------------------
class Constraint:
    """One kind of allowed value: :meth:`is_satisfied_by` decides, ``str()`` describes it for messages."""

    def is_satisfied_by(self, value: Any) -> bool:
        raise NotImplementedError


class Interval(Constraint):
    """A number of ``type`` (``Integral`` or ``Real``) between ``left`` and ``right`` (None: unbounded);
    ``closed`` is ``"left"``, ``"right"``, ``"both"`` or ``"neither"``.  Booleans are not numbers here, and a
    ``Real`` must be finite."""

    def __init__(self, type: type, left: float | None, right: float | None, *, closed: str):
        if type not in (Integral, Real):
            raise ValueError(f"Interval type must be Integral or Real, got {type!r}")
        if closed not in ("left", "right", "both", "neither"):
            raise ValueError(f"closed must be 'left', 'right', 'both' or 'neither', got {closed!r}")
        self.type, self.left, self.right, self.closed = type, left, right, closed

    def is_satisfied_by(self, value: Any) -> bool:
        if isinstance(value, bool | np.bool_) or not isinstance(value, self.type):
            return False
        if self.type is Real and not math.isfinite(float(value)):
            return False
        if self.left is not None:
            if value < self.left or (value == self.left and self.closed in ("right", "neither")):
                return False
        if self.right is not None:
            if value > self.right or (value == self.right and self.closed in ("left", "neither")):
                return False
        return True

    def __str__(self) -> str:
        kind = "an integer" if self.type is Integral else "a finite number"
        left_closed = self.closed in ("left", "both")
        right_closed = self.closed in ("right", "both")
        if self.right is None:
            return kind if self.left is None else f"{kind} {'>=' if left_closed else '>'} {self.left}"
        if self.left is None:
            return f"{kind} {'<=' if right_closed else '<'} {self.right}"
        brackets = ("[" if left_closed else "(", "]" if right_closed else ")")
        return f"{kind} in {brackets[0]}{self.left}, {self.right}{brackets[1]}"


class StrOptions(Constraint):
    """One of the strings ``options`` (their order is the order of the messages)."""

    def __init__(self, options: Iterable[str]):
        self.options = tuple(options)

    def is_satisfied_by(self, value: Any) -> bool:
        return isinstance(value, str) and value in self.options

    def __str__(self) -> str:
        return f"one of {', '.join(repr(o) for o in self.options)}"


class _NoneConstraint(Constraint):
    def is_satisfied_by(self, value: Any) -> bool:
        return value is None

    def __str__(self) -> str:
        return "None"


class _Boolean(Constraint):
    def is_satisfied_by(self, value: Any) -> bool:
        return isinstance(value, bool | np.bool_)

    def __str__(self) -> str:
        return "a bool (True or False)"


class _Seed(Constraint):
    def is_satisfied_by(self, value: Any) -> bool:
        return isinstance(value, Integral) and not isinstance(value, bool | np.bool_) and value >= 0

    def __str__(self) -> str:
        return "an integer seed >= 0"


class _InstanceOf(Constraint):
    def __init__(self, type: type):
        self.type = type

    def is_satisfied_by(self, value: Any) -> bool:
        return isinstance(value, self.type)

    def __str__(self) -> str:
        return f"an instance of {self.type.__name__}"


class _NoValidation(Constraint):
    def is_satisfied_by(self, value: Any) -> bool:
        return True

    def __str__(self) -> str:
        return "anything"


_ALIASES: dict[str, Constraint] = {
    "boolean": _Boolean(),
    "seed": _Seed(),
    "no_validation": _NoValidation(),
}


def make_constraint(constraint: Any) -> Constraint:
    """The :class:`Constraint` of one entry of a ``_parameter_constraints`` list."""
    if isinstance(constraint, Constraint):
        return constraint
    if constraint is None:
        return _NoneConstraint()
    if isinstance(constraint, str) and constraint in _ALIASES:
        return _ALIASES[constraint]
    if isinstance(constraint, type):
        return _InstanceOf(constraint)
    raise ValueError(f"unknown parameter constraint {constraint!r}")


def describe(constraints: Iterable[Any]) -> str:
    """The allowed values of a constraint list in words, e.g. ``"an integer >= 1 or None"``."""
    words = [str(make_constraint(c)) for c in constraints]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def validate_params(constraints: Mapping[str, list], params: Mapping[str, Any], caller: str) -> None:
    """Check every value of ``params`` against its entry of ``constraints`` (one admitting constraint
    suffices); the first violation raises ``ValueError`` naming ``caller``, the parameter, the allowed
    values and the value given.  A parameter without an entry is a programming error (``TypeError``)."""
    for name, value in params.items():
        if name not in constraints:
            raise TypeError(f"{caller}: hyper-parameter {name!r} has no entry in its _parameter_constraints")
        allowed = constraints[name]
        if any(make_constraint(c).is_satisfied_by(value) for c in allowed):
            continue
        raise ValueError(f"{caller}: {name} must be {describe(allowed)}, got {value!r}")


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

    Class attributes a subclass may set: ``_parameter_constraints`` (the allowed values of each
    hyper-parameter), ``_fitted_attribute`` (an attribute ``fit`` sets: the fitted check),
    ``_repr_skip`` (hyper-parameters left out of ``repr``, e.g. large arrays) and ``_sklearn_type``
    (``"regressor"``, ``"transformer"`` or None) with ``_sklearn_allow_nan`` (missing values in ``X``) and
    ``_sklearn_single_output`` (False: ``y`` must be 2-D, one column per output).
    """

    _fitted_attribute: str = ""
    #: hyper-parameter -> allowed values (see the module docstring); every hyper-parameter has an entry
    _parameter_constraints: ClassVar[dict[str, list]] = {}
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

    def _validate_params(self) -> None:
        """Check the hyper-parameters against ``_parameter_constraints`` (``ValueError`` naming the first
        bad one, its allowed values and its value); ``fit`` calls it first."""
        validate_params(self._parameter_constraints, self.get_params(deep=False), type(self).__name__)

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
