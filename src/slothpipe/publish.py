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

__all__ = ["publish", "tracked_pattern_regex"]

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


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        sys.stderr.write("usage: python -m slothpipe.publish WORK_FILE TRACKED_FILE\n")
        return 2
    publish(*args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
