"""Checks of the Slurm settings a run submits with, made before any job is submitted.

``profiles/slurm/config.yaml`` requests no account and no partition: the cluster's defaults apply, which is
what a cluster without accounting needs.  Where a cluster requires an account or a partition, the user sets
``slurm_account`` and ``slurm_partition`` under ``default-resources`` there, the one place the README names.
The workflow calls :func:`check_slurm_settings` while it parses (``workflow/rules/common.smk``): a value left
at a placeholder, a partition the cluster does not have or an account it does not know stops the run with one
message that says what to set, before the downloads run and before anything is submitted.
"""

from __future__ import annotations

import getpass
import re
import shutil
import subprocess
from collections.abc import Callable, Mapping
from typing import Any

from slothpipe.errors import ConfigError

WHERE = "profiles/slurm/config.yaml (default-resources)"
_PLACEHOLDER = re.compile(r"(replace[_-]?me|change[_-]?me|your[_-].*|<.*>|todo|\.\.\.)", re.IGNORECASE)


def raw_default_resources(resource_settings: Any) -> dict[str, str]:
    """The ``slurm_account`` and ``slurm_partition`` default resources as given (strings), from Snakemake's
    resource settings (``workflow.resource_settings``); values are evaluated only in a rule's context, so this
    reads what the user wrote."""
    defaults = getattr(resource_settings, "default_resources", None) or {}
    found = {}
    for name in ("slurm_account", "slurm_partition"):
        resource = defaults.get(name) if isinstance(defaults, Mapping) else None
        raw = getattr(resource, "raw", resource)
        if raw is not None and str(raw).strip() != "":
            found[name] = str(raw).strip().strip("'\"")
    return found


def _run(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=30, check=False)


def check_slurm_settings(
    settings: Mapping[str, str],
    *,
    run: Callable[[list[str]], subprocess.CompletedProcess[str]] = _run,
    which: Callable[[str], str | None] = shutil.which,
) -> None:
    """Raise :class:`ConfigError` when ``slurm_account`` or ``slurm_partition`` cannot be submitted with.

    Placeholders are rejected everywhere; the partition is checked against ``sinfo`` and the account against
    ``sacctmgr`` where those commands exist (a dry run on a machine without Slurm checks placeholders only).
    """
    for name, what in (("slurm_partition", "partition"), ("slurm_account", "account")):
        value = settings.get(name)
        if value is not None and _PLACEHOLDER.fullmatch(value):
            raise ConfigError(
                f"{name}={value} is a placeholder: set the Slurm {what} to submit to in {WHERE}, "
                f"or delete the line to use the cluster's default {what}"
            )
    partition = settings.get("slurm_partition")
    if partition is not None and which("sinfo"):
        out = run(["sinfo", "--noheader", "--format=%R"])
        if out.returncode == 0:
            partitions = sorted(set(out.stdout.split()))
            if partition not in partitions:
                raise ConfigError(
                    f"slurm_partition={partition}: this cluster has no such partition (sinfo lists "
                    f"{', '.join(partitions) or 'none'}); set an existing one in {WHERE}, or delete the line "
                    "to use the cluster's default partition"
                )
    account = settings.get("slurm_account")
    if account is not None and which("sacctmgr"):
        user = getpass.getuser()
        out = run(
            [
                "sacctmgr",
                "--noheader",
                "--parsable2",
                "show",
                "associations",
                f"user={user}",
                "format=account",
            ]
        )
        if out.returncode != 0:
            reason = (out.stderr or out.stdout).strip().splitlines()
            raise ConfigError(
                f"slurm_account={account}: this cluster cannot check accounts "
                f"({reason[0] if reason else 'sacctmgr failed'}); where accounting is off no account is "
                f"needed: delete slurm_account from {WHERE}"
            )
        accounts = sorted({line.strip().lower() for line in out.stdout.splitlines() if line.strip()})
        if accounts and account.lower() not in accounts:
            raise ConfigError(
                f"slurm_account={account}: not an account of user {user} on this cluster (sacctmgr lists "
                f"{', '.join(accounts)}); set one of them in {WHERE}"
            )
