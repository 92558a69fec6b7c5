"""The catalog of tracked results: what each file under ``results/`` is, read from ``results/README.md``.

``results/README.md`` is the one place that says, for every tracked file, which rule makes it, which figure or
table of the paper it reproduces and how it compares.  Its tables are read here so that the Snakemake report
(captions and categories) and the tests (every tracked file is listed) derive from it instead of repeating it.

Format: each ``## `` heading opens a section (its name, without a trailing "(issue N)", is the report
category); a table row whose first cell holds backticked file patterns describes those files.  The header row
names the columns (``file``, ``rule``, and any of ``paper`` or ``source ...``, ``comparison ...``, ``notes``).
A pattern is a path relative to ``results/`` in shell-glob syntax plus ``{a,b}`` alternatives and ``[text]``
optional parts; ``{name}`` (no comma) and ``…`` stand for any text; a pattern without a directory continues
the directory of the previous pattern in its cell; a pattern without a file extension stands for every format
of the figure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

EXTENSIONS = (".pdf", ".png", ".csv", ".md", ".tex", ".json", ".parquet", ".txt")
_ISSUE = re.compile(r"\s*\(issues?\s[^)]*\)\s*$")
_CELL_SPLIT = re.compile(r"\s\|\s")


@dataclass(frozen=True)
class Entry:
    """One table row of ``results/README.md``."""

    section: str
    patterns: tuple[str, ...]  # expanded shell globs relative to results/
    rule: str
    paper: str
    comparison: str
    line: int

    def matches(self, path: str) -> bool:
        return any(fnmatchcase(path, pattern) for pattern in self.patterns)

    def caption(self) -> str:
        """Report caption (reStructuredText): the paper's figure or table, how it compares, the rule."""
        parts = []
        if self.paper and self.paper not in ("—", "-"):
            parts.append(f"Reproduces: {self.paper}.")
        if self.comparison:
            parts.append(self.comparison if self.comparison.endswith(".") else self.comparison + ".")
        if self.rule:
            parts.append(f"Made by rule {self.rule}.")
        return " ".join(parts)


def expand(pattern: str) -> list[str]:
    """The shell globs a catalog pattern stands for (alternatives and optional parts expanded)."""
    pattern = pattern.replace("…", "*")
    optional = re.search(r"\[([^\]*?!]+)\]", pattern)
    if optional:
        head, tail = pattern[: optional.start()], pattern[optional.end() :]
        return expand(head + optional.group(1) + tail) + expand(head + tail)
    brace = re.search(r"\{([^{}]*)\}", pattern)
    if brace:
        head, tail = pattern[: brace.start()], pattern[brace.end() :]
        if "," not in brace.group(1):
            return expand(head + "*" + tail)
        return [p for alt in brace.group(1).split(",") for p in expand(head + alt + tail)]
    if not pattern.endswith(EXTENSIONS) and not pattern.endswith(".*"):
        pattern += ".*"
    return [pattern]


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in _CELL_SPLIT.split(line.strip().strip("|"))]


def _patterns(cell: str) -> tuple[str, ...]:
    out, directory = [], ""
    for token in re.findall(r"`([^`]+)`", cell):
        if "/" in token:
            directory = token.rsplit("/", 1)[0] + "/"
        else:
            token = directory + token
        out.extend(expand(token))
    return tuple(out)


def read_catalog(readme: str | Path) -> list[Entry]:
    """Every table row of ``readme`` (``results/README.md``) that lists files."""
    entries: list[Entry] = []
    section, header = "", None
    for number, line in enumerate(Path(readme).read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("## "):
            section, header = _ISSUE.sub("", line[3:]).strip(), None
        elif line.startswith("|"):
            cells = _cells(line)
            if header is None:
                header = [cell.lower() for cell in cells]
            elif cells[0].startswith("`"):
                row = dict(zip(header, cells, strict=False))
                comparison = next((v for k, v in row.items() if k.startswith(("comparison", "notes"))), "")
                entries.append(
                    Entry(
                        section=section,
                        patterns=_patterns(row["file"]),
                        rule=row.get("rule", "").replace("`", ""),
                        paper=next((v for k, v in row.items() if k.startswith(("paper", "source"))), ""),
                        comparison=comparison,
                        line=number,
                    )
                )
        else:
            header = None if not line.strip() else header
    return entries


#: Section of a file the catalog does not list (e.g. the untracked figures of the corrected-metadata variant).
UNLISTED = "Other outputs"


def describe(entries: list[Entry], path: str) -> Entry:
    """The entry listing ``path`` (relative to ``results/``), or a plain one when it is not listed."""
    try:
        return entry_for(entries, path)
    except KeyError:
        return Entry(UNLISTED, (path,), "", "", "not a tracked result (not listed in results/README.md)", 0)


def entry_for(entries: list[Entry], path: str) -> Entry:
    """The first entry listing ``path`` (relative to ``results/``); a clear error when none does."""
    for entry in entries:
        if entry.matches(path):
            return entry
    raise KeyError(f"results/{path} is not listed in results/README.md: add a table row for it")
