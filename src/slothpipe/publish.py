"""Publishing a finished job's work file onto its tracked path (rules ``publish_*``, publish.smk).

Snakemake deletes a job's declared outputs before the job starts and removes them again when it fails or is
interrupted.  Jobs therefore never write a tracked file under ``results/`` directly: they write an untracked
work copy (``resources/work/<tracked path>``), and a publish job, which starts only once that job has
succeeded, copies the work file next to the tracked path and renames it over the tracked path.  The only
window in which a tracked file is absent is between Snakemake's deletion and the rename of this tiny job; the
work copy is complete by then, so the next run publishes it again.

Run as ``python -m slothpipe.publish WORK_FILE TRACKED_FILE``.  This module imports nothing heavy: one publish
job per tracked file must stay cheap.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

__all__ = ["publish", "sibling_outputs", "tracked_pattern_regex"]

_WILDCARD = re.compile(r"\{[^{}]+\}")


def publish(work: str | os.PathLike[str], dest: str | os.PathLike[str]) -> None:
    """Copy ``work`` onto ``dest`` atomically (temporary file in dest's directory, then rename)."""
    work, dest = Path(work), Path(dest)
    if not work.is_file():
        raise FileNotFoundError(f"publish: no work file {work}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".publish", dir=dest.parent)
    os.close(fd)
    try:
        shutil.copyfile(work, tmp_name)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp_name, 0o666 & ~mask)
        os.replace(tmp_name, dest)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def tracked_pattern_regex(patterns: Iterable[str]) -> str:
    """One regex matching every path of the given Snakemake patterns (a ``{wildcard}`` matches ``.+``, as in
    Snakemake, so it may span directories: ``figures/{name}.pdf`` covers ``figures/motivation/mmlu.pdf``).

    Used as the wildcard constraint of the publish rules, so that each publishes exactly the tracked files its
    rules declared.  An empty list gives a regex that matches nothing.
    """
    alternatives = []
    for pattern in sorted(set(patterns)):
        parts = _WILDCARD.split(pattern)
        alternatives.append(".+".join(re.escape(part) for part in parts))
    return "|".join(f"(?:{a})" for a in alternatives) if alternatives else "(?!)"


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    parts, names = [], []
    pos = 0
    for match in _WILDCARD.finditer(pattern):
        parts.append(re.escape(pattern[pos : match.start()]))
        name = match.group(0)[1:-1].split(",", 1)[0].strip()
        parts.append(f"(?P={name})" if name in names else f"(?P<{name}>.+)")
        names.append(name)
        pos = match.end()
    parts.append(re.escape(pattern[pos:]))
    return re.compile("".join(parts))


def _fill(pattern: str, values: dict[str, str]) -> str:
    return _WILDCARD.sub(lambda m: values[m.group(0)[1:-1].split(",", 1)[0].strip()], pattern)


def sibling_outputs(paths: Iterable[str], groups: Iterable[list[str]]) -> list[str]:
    """``paths`` followed by every other output of the same job, in order and without repeats.

    ``groups`` holds the output patterns of each rule; a path that matches one pattern of a group brings in
    the group's other patterns, filled with the wildcard values of the match (``figures/{name}.pdf`` brings
    ``figures/{name}.png``).
    """
    groups = [list(g) for g in groups]
    out: list[str] = []
    seen: set[str] = set()
    for path in paths:
        candidates = [path]
        for group in groups:
            for pattern in group:
                match = _pattern_regex(pattern).fullmatch(path)
                if match:
                    candidates += [_fill(p, match.groupdict()) for p in group]
                    break
        for candidate in candidates:
            if candidate not in seen:
                seen.add(candidate)
                out.append(candidate)
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        sys.stderr.write("usage: python -m slothpipe.publish WORK_FILE TRACKED_FILE\n")
        return 2
    publish(*args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
