"""Names a package serves lazily (PEP 562): ``__getattr__``, ``__dir__`` and ``__all__`` from one map.

A package whose ``__init__.py`` would otherwise import heavy modules (pandas, the model code) declares
``_EXPORTS = {module: (names, ...)}`` and ``__getattr__, __dir__, __all__ = lazy_exports(__name__,
_EXPORTS)``; a name is imported from its module on first use.  The workflow's code inputs
(:mod:`slothpipe.code_inputs`) read the same map: a script that takes one of these names depends on the
module serving it, and only there.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping, Sequence


def lazy_exports(
    package: str, exports: Mapping[str, Sequence[str]]
) -> tuple[Callable[[str], object], Callable[[], list[str]], list[str]]:
    """(``__getattr__``, ``__dir__``, ``__all__``) of ``package`` serving ``exports`` ({module: names})."""
    module_of = {name: module for module, names in exports.items() for name in names}

    def __getattr__(name: str) -> object:
        if name not in module_of:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module_of[name]), name)

    def __dir__() -> list[str]:
        return sorted([*vars(sys.modules[package]), *module_of])

    return __getattr__, __dir__, sorted(module_of)
