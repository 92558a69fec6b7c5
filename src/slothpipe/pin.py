"""Pin the Hub sources of the configuration to commit hashes: ``python -m slothpipe.pin``.

A Hub source's ``revision`` may be a branch (``main``), which follows the leaderboard's updates, or a commit
hash, which fixes the data.  This command asks the Hub (``HF_ENDPOINT``, ``HF_TOKEN``; with
``HF_HUB_OFFLINE=1`` the local HF cache) which commit each source's revision points at now, and writes that
hash into ``config/config.yaml`` in place of the revision.  Only the revision values change: comments, order
and every other line stay as they are.  The next download then lists and fetches exactly that commit, and its
manifest (``results/data/manifests/<source>.json``) records it as ``requested_revision`` and
``resolved_revision``.

Usage::

    python -m slothpipe.pin                          # every Hub source, at its configured revision
    python -m slothpipe.pin leaderboard_v2           # one source
    python -m slothpipe.pin --revision main          # move the pins to the current head of main
    python -m slothpipe.pin --dry-run                # print what would change, write nothing
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from slothpipe.errors import ConfigError, DownloadError, PipelineError
from slothpipe.io import write_text

import yaml

DEFAULT_CONFIG = "config/config.yaml"
COMMIT = re.compile(r"^[0-9a-f]{40}$")


def _mapping_value(node: yaml.Node, key: str, where: str) -> yaml.Node:
    if not isinstance(node, yaml.MappingNode):
        raise ConfigError(f"{where}: expected a mapping")
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return v
    raise ConfigError(f"{where}: no key {key!r}")


def hub_revisions(text: str, path: str = DEFAULT_CONFIG) -> dict[str, tuple[str, str, yaml.ScalarNode]]:
    """``{source: (repo_id, revision, revision node)}`` of ``sources.hub`` in the YAML ``text``."""
    root = yaml.compose(text)
    if root is None:
        raise ConfigError(f"{path}: empty configuration")
    hub = _mapping_value(_mapping_value(root, "sources", path), "hub", f"{path}: sources")
    if not isinstance(hub, yaml.MappingNode):
        raise ConfigError(f"{path}: sources.hub must be a mapping")
    out = {}
    for key, spec in hub.value:
        where = f"{path}: sources.hub.{key.value}"
        repo = _mapping_value(spec, "repo_id", where)
        rev = _mapping_value(spec, "revision", where)
        if not isinstance(repo, yaml.ScalarNode) or not isinstance(rev, yaml.ScalarNode):
            raise ConfigError(f"{where}: repo_id and revision must be strings")
        out[key.value] = (repo.value, rev.value, rev)
    return out


def pin_text(text: str, commits: dict[str, str], path: str = DEFAULT_CONFIG) -> str:
    """``text`` with the revision of each source in ``commits`` replaced by its commit hash.

    The replacement is done in the text at the value's position, so comments and layout are kept; a
    revision line without a comment gets one naming the revision it was pinned from.
    """
    sources = hub_revisions(text, path)
    lines = text.splitlines(keepends=True)
    edits = []
    for source, commit in commits.items():
        if not COMMIT.match(commit):
            raise ValueError(f"{source}: {commit!r} is not a 40-hex commit hash")
        _, old, node = sources[source]
        start, end = node.start_mark, node.end_mark
        if start.line != end.line:
            raise ConfigError(f"{path}, line {start.line + 1}: the revision of {source} spans several lines")
        edits.append((start.line, start.column, end.column, old, commit))
    for line_no, col0, col1, old, commit in sorted(edits, reverse=True):
        body = lines[line_no].rstrip("\r\n")
        eol = lines[line_no][len(body) :]
        value = commit if isinstance(yaml.safe_load(commit), str) else f'"{commit}"'  # e.g. all digits
        rest = body[col1:]
        if not rest.strip() and old != commit:
            rest = f"  # pinned from {old!r} by python -m slothpipe.pin"
        lines[line_no] = body[:col0] + value + rest + eol
    out = "".join(lines)
    check = {s: rev for s, (_, rev, _) in hub_revisions(out, path).items() if s in commits}
    if check != commits:  # the edit must hit exactly the revision values
        raise RuntimeError(f"{path}: pinning changed {check}, expected {commits}")
    return out


def pin(
    config: str | Path = DEFAULT_CONFIG,
    sources: Sequence[str] | None = None,
    *,
    revision: str | None = None,
    dry_run: bool = False,
    resolve: Callable[[str, str], str] | None = None,
    out=sys.stdout,
) -> dict[str, str]:
    """Resolve and pin the Hub sources (all when ``sources`` is empty); return ``{source: commit}``."""
    if resolve is None:
        from slothpipe.download import resolve_hub_revision as resolve
    path = Path(config)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the configuration ({exc.strerror})") from None
    known = hub_revisions(text, str(path))
    chosen = list(sources) if sources else list(known)
    unknown = [s for s in chosen if s not in known]
    if unknown:
        raise ConfigError(
            f"{path}: no Hub source {', '.join(map(repr, unknown))} under sources.hub "
            f"(there are: {', '.join(known)})"
        )
    commits = {}
    for source in chosen:
        repo_id, current, _ = known[source]
        if revision is None and COMMIT.match(current):  # a commit pins itself: no need to ask the Hub
            commits[source] = current
            print(f"{source}: {repo_id} {current} (a commit: already pinned)", file=out)
            continue
        wanted = current if revision is None else revision
        try:
            commit = resolve(repo_id, wanted)
        except DownloadError as exc:
            raise DownloadError(
                f"{source}: cannot resolve revision {wanted!r} of {repo_id!r}; pinning asks the Hub, or with "
                "HF_HUB_OFFLINE=1 the local HF cache (an offline mirror records no commits).\n"
                f"{exc}"
            ) from exc
        commits[source] = commit
        state = "unchanged" if commit == current else f"was {current}"
        print(f"{source}: {repo_id} {wanted} -> {commit} ({state})", file=out)
    new = pin_text(text, commits, str(path))
    if new == text:
        print(f"{path}: already pinned", file=out)
    elif dry_run:
        print(f"{path}: not written (--dry-run)", file=out)
    else:
        write_text(new, path)
        print(f"{path}: written; run the download rules to fetch these commits", file=out)
    return commits


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m slothpipe.pin",
        description="Resolve the Hub sources' revisions to commit hashes and pin them in the config.",
    )
    parser.add_argument("sources", nargs="*", help="Hub sources to pin (default: all of sources.hub)")
    parser.add_argument(
        "--config", default=DEFAULT_CONFIG, help=f"configuration file (default {DEFAULT_CONFIG})"
    )
    parser.add_argument("--revision", help="resolve this branch, tag or commit instead of the configured one")
    parser.add_argument("--dry-run", action="store_true", help="print the commits, do not write the config")
    args = parser.parse_args(argv)
    try:
        pin(args.config, args.sources, revision=args.revision, dry_run=args.dry_run)
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
