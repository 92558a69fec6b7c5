"""The one way the tests run the workflow: ``python -m snakemake`` in a subprocess on a working directory.

``snakemake(root, *args)`` runs the repository's Snakefile in ``root`` on 2 cores, offline
(``HF_HUB_OFFLINE=1``) unless a fake Hub is given, and returns the completed process (stdout and stderr
captured).  ``allowed_rules`` limits the run to one stage's rules; ``mirror`` and ``config`` become
``--config offline_mirror=... KEY=VALUE``.  ``planned_jobs`` reads the jobs a run or dry run printed and
``hashes`` the files a run wrote, to compare two runs byte for byte.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYCACHE = str(Path(tempfile.gettempdir()) / "slothpipe-test-pycache")


def environment(hub=None, root: Path | None = None, **extra: str) -> dict[str, str]:
    """The environment without the caller's HF_* variables: offline, or talking to the fake ``hub``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    # Every job is a new Python process that imports the package: let it reuse compiled bytecode (kept out
    # of the source tree) even where the caller's environment disables writing it.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = PYCACHE
    if hub is None:
        env["HF_HUB_OFFLINE"] = "1"
    else:
        env.update(
            HF_ENDPOINT=hub.url,
            HF_HOME=str(root / "_hf_home"),
            HF_HUB_DISABLE_PROGRESS_BARS="1",
            SLOTHPIPE_GITHUB_RAW_URL=f"{hub.url}/github",
        )
    env.update(extra)
    return env


def command(
    root: Path,
    *args: str,
    cores: int | None = 2,
    allowed_rules: Iterable[str] = (),
    mirror: Path | str | None = None,
    config: Iterable[str] = (),
    snakefile: Path = REPO / "Snakefile",
) -> list[str]:
    """The snakemake command line for the working directory ``root`` (targets and options in ``args``)."""
    cmd = [sys.executable, "-m", "snakemake", "-s", str(snakefile), "-d", str(root)]
    if cores is not None:
        cmd += ["--cores", str(cores)]
    cmd += args
    if allowed_rules := list(allowed_rules):
        cmd += ["--allowed-rules", *allowed_rules]
    settings = [f"offline_mirror={mirror}"] if mirror is not None else []
    if settings := settings + list(config):
        cmd += ["--config", *settings]
    return cmd


def snakemake(
    root: Path,
    *args: str,
    hub=None,
    env: dict[str, str] | None = None,
    timeout: float = 600,
    **options,
) -> subprocess.CompletedProcess[str]:
    """Run snakemake (see ``command`` for ``options``) and return the completed process."""
    cmd = command(root, *args, **options)
    env = environment(hub, root) if env is None else env
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)


def output(result: subprocess.CompletedProcess[str]) -> str:
    return result.stdout + result.stderr


def nothing_to_do(result: subprocess.CompletedProcess[str]) -> bool:
    return result.returncode == 0 and "Nothing to be done" in output(result)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def hashes(root: Path, under: str = "results", skip: Iterable[str] = ()) -> dict[str, str]:
    """sha256 of every file under ``root/under`` whose path (relative to root) contains none of ``skip``."""
    files = [p for p in sorted((root / under).rglob("*")) if p.is_file()]
    return {
        str(p.relative_to(root)): sha(p)
        for p in files
        if not any(part in p.relative_to(root).as_posix() for part in skip)
    }


def _rule_of(line: str) -> str | None:
    """The rule of a job header that snakemake prints (``rule X:``, ``localrule X:``, ...), else None."""
    for prefix in ("rule ", "localrule ", "checkpoint ", "localcheckpoint "):
        if line.startswith(prefix) and line.endswith(":"):
            return line[len(prefix) : -1]
    return None


def planned_jobs(text: str) -> list[tuple[str, str]]:
    """(rule, wildcards) of every job a snakemake run or dry run printed."""
    jobs, rule = [], None
    for line in text.splitlines():
        stripped = line.strip()
        if (header := _rule_of(stripped)) is not None:
            if rule is not None:
                jobs.append((rule, ""))
            rule = header
        if rule is not None and stripped.startswith("wildcards:"):
            jobs.append((rule, stripped[len("wildcards:") :].strip()))
            rule = None
    if rule is not None:
        jobs.append((rule, ""))
    return jobs


def planned_reasons(text: str) -> list[tuple[str, str]]:
    """(rule, reason) of every job a snakemake run or dry run printed."""
    jobs, rule = [], None
    for line in text.splitlines():
        stripped = line.strip()
        if (header := _rule_of(stripped)) is not None:
            rule = header
        elif stripped.startswith("reason:") and rule is not None:
            jobs.append((rule, stripped.removeprefix("reason:").strip()))
            rule = None
    return jobs


def planned_rules(text: str) -> set[str]:
    """The rules of the jobs a snakemake run or dry run printed."""
    return {rule for rule, _ in planned_jobs(text)}


def job_outputs(text: str) -> list[tuple[str, list[str]]]:
    """(rule, output files) of every job a snakemake run or dry run printed, in its order."""
    jobs: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        stripped = line.strip()
        if (header := _rule_of(stripped)) is not None:
            jobs.append((header, []))
        if jobs and stripped.startswith("output:"):
            jobs[-1][1].extend(p.strip() for p in stripped[len("output:") :].split(","))
    return jobs


def one_job_per_rule(text: str, rules: Iterable[str]) -> list[str]:
    """An output of the first job of each of ``rules`` that the run printed (``--forcerun`` re-runs that job
    and the jobs that depend on it: one job per rule rather than all of them)."""
    rules = list(rules)
    first: dict[str, str] = {}
    for rule, outputs in job_outputs(text):
        if rule in rules and outputs:
            first.setdefault(rule, outputs[0])
    missing = sorted(set(rules) - set(first))
    assert not missing, f"no job of {missing} in the run"
    return [first[rule] for rule in rules]
