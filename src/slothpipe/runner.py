"""Glue between Snakemake ``script:`` files and the package.

Each script in ``workflow/scripts/`` is a few lines::

    from slothpipe.runner import run

    def main(snakemake):
        ...  # unpack input/output/params, call the package, write outputs

    run(main, snakemake)

``run`` sends log records to the rule's log file (``log:`` directive) and to stderr, and turns a
:class:`~slothpipe.errors.PipelineError` into one clear message and exit status 1 instead of a traceback
wall.  Unexpected exceptions keep their traceback, written to the log file.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from typing import Any

from slothpipe.errors import PipelineError

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(log_path: str | None = None, level: int = logging.INFO) -> None:
    """Log to stderr and, when given, to ``log_path`` (overwritten)."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_path:
        handlers.append(logging.FileHandler(log_path, mode="w", encoding="utf-8"))
    logging.basicConfig(level=level, format=LOG_FORMAT, handlers=handlers, force=True)


def run(main: Callable[[Any], None], snakemake: Any) -> None:
    """Run ``main(snakemake)`` with logging and user-facing error handling."""
    logs = list(getattr(snakemake, "log", []) or [])
    log_path = str(logs[0]) if logs else None
    configure_logging(log_path)
    rule = getattr(snakemake, "rule", "?")
    try:
        main(snakemake)
    except PipelineError as exc:
        logging.getLogger("slothpipe").error("%s", exc)
        sys.stderr.write(f"\nslothpipe: rule {rule} failed:\n{exc}\n")
        sys.exit(1)
    except Exception:
        detail = traceback.format_exc()
        if log_path:
            with open(log_path, "a", encoding="utf-8") as fh:
                fh.write(detail)
            sys.stderr.write(f"\nslothpipe: rule {rule} crashed; traceback in {log_path}\n")
        else:
            sys.stderr.write(detail)
        sys.exit(1)
