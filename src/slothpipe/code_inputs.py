"""The package modules a workflow script runs: each rule's code inputs, derived from the script's imports.

Snakemake re-runs a job when one of its inputs changes.  A rule's code inputs are therefore the script it runs
and every module of this package that the script can execute, found by reading the imports with :mod:`ast`
when the Snakefile is parsed, never written by hand (``code()`` in ``workflow/rules/common.smk``).

The counting rule, followed from the script through every module reached in turn:

* every ``import`` and ``from ... import`` of a ``slothpipe`` module counts, at module level and inside
  functions (a function-level import runs when the function does, which the script may well do);
* importing ``a.b.c`` runs the ``__init__.py`` of ``a`` and ``a.b``: a package's ``__init__.py`` counts (and
  its own imports are followed) when it holds code, not when it is only a docstring;
* a package bound to a name as a module object (``import pkg``, ``from parent import pkg``) reaches every
  module its ``_EXPORTS`` map names, since any of its lazy names may be used through it;
* ``from pkg import name`` reaches the submodule ``pkg.name`` when there is one; a name that the package
  serves lazily (PEP 562, through its ``_EXPORTS`` map ``{module: (names, ...)}``, see
  :mod:`slothpipe.lazy_exports`) reaches the module serving that name, and only where a script asks for it.
  Imports inside a module-level ``__getattr__`` function are not followed otherwise.

Static reading over-approximates what one run executes (a branch not taken still counts), which errs on
the side of a re-run; it misses only imports built from strings at run time, which the package does not use
except through ``_EXPORTS``.  Everything here is the standard library: the Snakefile calls it for every rule
while it parses.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

__all__ = ["ModuleInfo", "module_file", "modules_reached", "read_module"]

#: The top-level package whose modules are followed; imports of anything else (numpy, pandas) are not code
#: inputs of a rule (their versions are pinned by the lock files).
PACKAGE = "slothpipe"


@dataclass(frozen=True)
class ModuleInfo:
    """What the counting rule needs of one module file."""

    #: (module, names, bound) of every import outside a lazy ``__getattr__``: names is None for ``import
    #: module``, which binds the module object ``bound`` (the top package, or the module itself with ``as``)
    imports: tuple[tuple[str, tuple[str, ...] | None, str | None], ...]
    #: whether the file holds code (an ``__init__.py`` that is only a docstring does not count)
    holds_code: bool
    #: name -> module of the names served lazily (``_EXPORTS``), for a module with a ``__getattr__``
    lazy: dict[str, str] = field(default_factory=dict)


def module_file(module: str, src: Path) -> Path | None:
    """The file of ``module`` under the source root ``src`` (a ``.py`` file or a package's ``__init__.py``),
    None when it is not a module of :data:`PACKAGE` found there."""
    if module != PACKAGE and not module.startswith(PACKAGE + "."):
        return None
    base = Path(src, *module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The absolute module of a ``from ... import`` in ``module`` (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    parts = module.split(".")
    base = parts if is_package else parts[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _lazy_exports(tree: ast.Module, path: Path) -> dict[str, str]:
    """name -> serving module of a module's ``_EXPORTS`` map (slothpipe.lazy_exports), {} without one.

    A module that defines ``__getattr__`` without the map is an error: its lazy names would be invisible."""
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if any(isinstance(t, ast.Name) and t.id == "_EXPORTS" for t in targets) and node.value is not None:
            exports = ast.literal_eval(node.value)
            return {name: mod for mod, names in exports.items() for name in names}
    defines_getattr = any(
        (isinstance(n, ast.FunctionDef) and n.name == "__getattr__")
        or (
            isinstance(n, ast.Assign)
            and "__getattr__" in {t.id for t in ast.walk(n) if isinstance(t, ast.Name)}
        )
        for n in tree.body
    )
    if defines_getattr:
        raise ValueError(
            f"{path}: a module-level __getattr__ without an _EXPORTS map {{module: (names, ...)}}; "
            "the workflow derives its rules' code inputs from imports (slothpipe.code_inputs) and cannot "
            "see which module serves a lazily loaded name otherwise (slothpipe.lazy_exports serves one "
            "from the map)"
        )
    return {}


@cache
def read_module(path: Path, module: str) -> ModuleInfo:
    """Parse ``path`` (the file of ``module``) once: its imports, whether it holds code, its lazy names."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    body = tree.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    getattr_fn = next(
        (n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "__getattr__"),
        None,
    )
    lazy_nodes = set() if getattr_fn is None else {id(n) for n in ast.walk(getattr_fn)}
    imports = [
        entry
        for node in ast.walk(tree)
        if id(node) not in lazy_nodes
        for entry in _import_entries(node, lambda n: _absolute(n, module, is_package))
    ]
    lazy = _lazy_exports(tree, path)
    return ModuleInfo(imports=tuple(imports), holds_code=bool(body), lazy=lazy)


def _import_entries(node: ast.AST, resolve) -> list[tuple[str, tuple[str, ...] | None, str | None]]:
    """(module, names, bound) of an import statement (see :class:`ModuleInfo`); [] for any other node."""
    if isinstance(node, ast.Import):
        return [(a.name, None, a.name if a.asname else a.name.split(".")[0]) for a in node.names]
    if isinstance(node, ast.ImportFrom):
        return [(resolve(node), tuple(a.name for a in node.names), None)]
    return []


def _script_imports(script: Path) -> list[tuple[str, tuple[str, ...] | None, str | None]]:
    """The imports of a script (not a package module: relative imports are not allowed there)."""
    tree = ast.parse(Path(script).read_text(encoding="utf-8"), filename=str(script))
    return [
        entry
        for node in ast.walk(tree)
        if not (isinstance(node, ast.ImportFrom) and node.level)
        for entry in _import_entries(node, lambda n: n.module or "")
    ]


def modules_reached(src: Path, *, script: Path | None = None, modules: Iterable[str] = ()) -> list[Path]:
    """The package files that ``script`` (a file) and/or ``modules`` (dotted names, e.g. what ``python -m``
    runs) can execute, by the counting rule of this module; sorted, each once.

    ``src`` is the source root holding the package directory.  An import of a ``slothpipe`` module that does
    not exist raises ``ValueError`` naming the importer, so a renamed module cannot leave a rule without its
    inputs.
    """
    src = Path(src)
    reached: set[Path] = set()
    done: set[str] = set()

    def visit(module: str, importer: str) -> None:
        """Run ``module`` as an import does: its parent packages first, then the module itself."""
        parts = module.split(".")
        for i in range(1, len(parts) + 1):
            name = ".".join(parts[:i])
            if name in done:
                continue
            path = module_file(name, src)
            if path is None:
                raise ValueError(f"{importer} imports {module}, which is not a module under {src}")
            done.add(name)
            info = read_module(path, name)
            if info.holds_code:
                reached.add(path)
                follow(info.imports, importer=str(path))

    def lazy_of(module: str) -> dict[str, str]:
        return read_module(module_file(module, src), module).lazy

    def bound(module: str, importer: str) -> None:
        """A module object is bound to a name: any of its lazily served names may be used through it."""
        for target in sorted(set(lazy_of(module).values())):
            visit(target, importer)

    def follow(imports, importer: str) -> None:
        for module, names, binds in imports:
            if module != PACKAGE and not module.startswith(PACKAGE + "."):
                continue
            visit(module, importer)
            if names is None:
                bound(binds, importer)
            for name in names or ():
                sub = f"{module}.{name}"
                if module_file(sub, src) is not None:
                    visit(sub, importer)
                    bound(sub, importer)
                elif name in lazy_of(module):
                    visit(lazy_of(module)[name], importer)

    if script is not None:
        follow(_script_imports(Path(script)), importer=str(script))
    for module in modules:
        visit(module, importer="the command line")
    return sorted(reached)
