"""Fetch the pipeline's raw inputs: Hugging Face Hub dataset files and GitHub files at a pinned commit.

Three ways to obtain a file, chosen by the caller's settings:

* the Hugging Face Hub through :mod:`huggingface_hub` (the endpoint follows ``HF_ENDPOINT``; the token, for
  gated or private repos, is ``HF_TOKEN`` or a stored ``hf auth login``, read by huggingface_hub itself);
* the local HF cache when ``HF_HUB_OFFLINE=1`` (a revision that was downloaded before);
* an offline mirror directory laid out as ``DIR/hub/<repo_id>/<path>`` and
  ``DIR/github/<owner>/<repo>/<commit>/<path>``.

Every fetch copies the file to its destination atomically (temporary file + rename), checks its size and
sha256 against what the source declares, and returns a manifest (repo, requested and resolved revision,
path, size, sha256) that the pipeline stores next to the data.  A failed or interrupted fetch leaves neither
the destination nor a manifest behind, and a file whose checksum does not match is removed from the HF cache
so that the next run downloads it again.
"""

from __future__ import annotations

import fnmatch
import logging
import os
import shutil
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from slothpipe.errors import DownloadError, SourceUnreachable
from slothpipe.io import atomic_path, sha256_file

log = logging.getLogger(__name__)

GITHUB_RAW_URL = "https://raw.githubusercontent.com"
# Environment variable that overrides GITHUB_RAW_URL (tests point it at a local server).
GITHUB_RAW_ENV = "SLOTHPIPE_GITHUB_RAW_URL"
# Seconds before a silent connection is abandoned.
HTTP_TIMEOUT = 30

_HOW_TO_RUN_OFFLINE = (
    "To run without network access, either\n"
    "  * point the pipeline at a local mirror: snakemake --config offline_mirror=DIR  (laid out as\n"
    "    DIR/hub/<repo_id>/<path in repo> and DIR/github/<owner>/<repo>/<commit>/<path>), or\n"
    "  * reuse files already in the Hugging Face cache: HF_HUB_OFFLINE=1 snakemake ...  (Hub sources only)."
)


def _verify(path: Path, *, size: int | None, sha256: tuple[str | None, ...], what: str) -> tuple[int, str]:
    """Check ``path``'s size and sha256 against every expected value given; return (size, sha256)."""
    actual_size = path.stat().st_size
    actual_sha = sha256_file(path)
    if size is not None and actual_size != size:
        raise DownloadError(f"{what}: size mismatch: expected {size} bytes, got {actual_size}.")
    for expected in sha256:
        if expected is not None and actual_sha != expected.lower():
            raise DownloadError(
                f"{what}: checksum mismatch: expected sha256 {expected}, got {actual_sha}.\n"
                "The file differs from the one the source declares or the configuration pins; check the "
                "revision/sha256 in config/config.yaml or the integrity of the source."
            )
    return actual_size, actual_sha


def _copy_verified(
    src: Path, dest: Path, *, size: int | None, sha256: tuple[str | None, ...], what: str
) -> tuple[int, str]:
    """Verify ``src`` (see :func:`_verify`), then copy it to ``dest`` atomically; return (size, sha256)."""
    result = _verify(src, size=size, sha256=sha256, what=what)
    with atomic_path(dest) as tmp:
        shutil.copyfile(src, tmp)
    return result


def _single_match(paths: list[str], file_glob: str, where: str) -> str:
    matches = sorted(p for p in paths if fnmatch.fnmatchcase(p, file_glob))
    if len(matches) != 1:
        listing = ", ".join(matches) if matches else "none"
        raise DownloadError(
            f"{where}: expected exactly one file matching {file_glob!r}, found {len(matches)} ({listing}). "
            "Adjust `file_glob` of this source in config/config.yaml."
        )
    return matches[0]


def mirror_content_key(mirror: str | os.PathLike[str] | None, repo_id: str, file_glob: str) -> str | None:
    """The sha256 of the mirror file a Hub source would copy, or None (no mirror, or no single match).

    The pipeline passes it to the download rule as a parameter, so a download re-runs exactly when the content
    of its mirror file changes (an in-place update, or a mirror copy that differs), not when the mirror moves.
    """
    if mirror is None:
        return None
    root = Path(mirror) / "hub" / repo_id
    if not root.is_dir():
        return None
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    matches = [f for f in files if fnmatch.fnmatchcase(f, file_glob)]
    return sha256_file(root / matches[0]) if len(matches) == 1 else None


def check_cached(raw: str | os.PathLike[str], manifest: dict[str, Any]) -> None:
    """Raise DownloadError when the downloaded file ``raw`` no longer matches its ``manifest``."""
    raw = Path(raw)
    size, digest = raw.stat().st_size, sha256_file(raw)
    if size != manifest.get("size") or digest != manifest.get("sha256"):
        kind = "download_hub" if manifest.get("kind") == "hub" else "download_github"
        raise DownloadError(
            f"{raw} does not match its manifest results/data/manifests/{manifest.get('source')}.json "
            f"(sha256 {digest}, {size} bytes; manifest: sha256 {manifest.get('sha256')}, "
            f"{manifest.get('size')} bytes): it changed after it was downloaded.\n"
            f"Fetch it again: snakemake --forcerun {kind} ...  (or delete {raw})."
        )


# --------------------------------------------------------------------------------------------- Hub


def fetch_hub_file(
    *,
    source: str,
    repo_id: str,
    revision: str,
    file_glob: str,
    dest: str | os.PathLike[str],
    mirror: str | os.PathLike[str] | None = None,
    sha256: str | None = None,
) -> dict[str, Any]:
    """Fetch the one file of dataset repo ``repo_id`` matching ``file_glob`` at ``revision`` into ``dest``.

    The file name is resolved by listing the repo at the revision (the v1 leaderboard's parquet name changed
    across commits).  ``sha256``, when given, pins the expected content in addition to the Hub's own LFS hash.
    Returns the manifest.
    """
    dest = Path(dest)
    if mirror is not None:
        return _fetch_hub_from_mirror(
            source=source,
            repo_id=repo_id,
            revision=revision,
            file_glob=file_glob,
            dest=dest,
            mirror=Path(mirror),
            sha256=sha256,
        )

    from huggingface_hub import constants

    if constants.HF_HUB_OFFLINE:
        return _fetch_hub_from_cache(
            source=source, repo_id=repo_id, revision=revision, file_glob=file_glob, dest=dest, sha256=sha256
        )
    return _fetch_hub_online(
        source=source, repo_id=repo_id, revision=revision, file_glob=file_glob, dest=dest, sha256=sha256
    )


def _fetch_hub_from_mirror(
    *, source: str, repo_id: str, revision: str, file_glob: str, dest: Path, mirror: Path, sha256: str | None
) -> dict[str, Any]:
    root = mirror / "hub" / repo_id
    if not root.is_dir():
        raise SourceUnreachable(
            f"offline mirror {mirror}: no directory {root} for Hub dataset {repo_id!r}. "
            "The mirror must be laid out as DIR/hub/<repo_id>/<path in repo>."
        )
    # A mirror holds one version of each file and no commit: the configured revision cannot be checked, so
    # the manifest does not record it (requested_revision null) and says what was checked instead.
    log.warning(
        "%s: revision %r of the configuration is not checked: the offline mirror records no revision "
        "(the manifest records the file's sha256%s)",
        source,
        revision,
        ", checked against the configured sha256" if sha256 else "",
    )
    manifest = _copy_from_tree(
        root,
        source=source,
        repo_id=repo_id,
        revision=revision,
        file_glob=file_glob,
        dest=dest,
        sha256=sha256,
        origin="offline_mirror",
        resolved_revision=None,
        where=f"offline mirror {root}",
    )
    manifest["requested_revision"] = None
    manifest["checked"] = (
        "sha256 matches the configured sha256; revision not checked (the mirror records none)"
        if sha256
        else "revision not checked (the mirror records none); sha256 is that of the copied file"
    )
    return manifest


def _hub_manifest(
    *,
    source: str,
    origin: str,
    repo_id: str,
    revision: str,
    resolved: str | None,
    path: str,
    size: int,
    sha256: str,
) -> dict[str, Any]:
    """The manifest of one Hub file (keys in a fixed order; no timestamps, so re-runs give the same bytes)."""
    return dict(
        source=source,
        kind="hub",
        origin=origin,
        repo_id=repo_id,
        repo_type="dataset",
        requested_revision=revision,
        resolved_revision=resolved,
        path=path,
        size=size,
        sha256=sha256,
    )


def _copy_from_tree(
    root: Path,
    *,
    source: str,
    repo_id: str,
    revision: str,
    file_glob: str,
    dest: Path,
    sha256: str | None,
    origin: str,
    resolved_revision: str | None,
    where: str,
) -> dict[str, Any]:
    """Copy the one file of the local tree ``root`` (mirror or cache snapshot) that matches ``file_glob``."""
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    path = _single_match(files, file_glob, where)
    checked = f"commit {resolved_revision}" if resolved_revision else "revision not checked"
    log.info("%s: copying %s from %s (requested %r, %s)", source, path, where, revision, checked)
    size, digest = _copy_verified(
        root / path, dest, size=None, sha256=(sha256,), what=f"{source} ({where}/{path})"
    )
    return _hub_manifest(
        source=source,
        origin=origin,
        repo_id=repo_id,
        revision=revision,
        resolved=resolved_revision,
        path=path,
        size=size,
        sha256=digest,
    )


def _token_in_use() -> str:
    """Which token huggingface_hub sends (never the token itself), for error messages."""
    from huggingface_hub import constants, get_token

    if constants.HF_HUB_DISABLE_IMPLICIT_TOKEN:
        return "no token was sent (HF_HUB_DISABLE_IMPLICIT_TOKEN is set)"
    if os.environ.get("HF_TOKEN"):
        return "the token in HF_TOKEN was sent"
    if get_token():
        return "the token of a stored `hf auth login` was sent (HF_TOKEN is not set)"
    return "no token was sent (HF_TOKEN is not set and there is no stored `hf auth login`)"


def _access_denied(exc: BaseException, repo_id: str, endpoint: str, action: str) -> DownloadError | None:
    """A DownloadError explaining a 401/403 answer of the Hub (gated or private repo, bad token), else None.

    huggingface_hub reports these as RepositoryNotFoundError, GatedRepoError or a plain HTTP error, sometimes
    wrapped in another exception; the first HTTP error with status 401 or 403 in the chain decides.
    """
    from huggingface_hub.errors import GatedRepoError, HfHubHTTPError

    seen: set[int] = set()
    err: BaseException | None = exc
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        status = getattr(getattr(err, "response", None), "status_code", None)
        if isinstance(err, HfHubHTTPError) and status in (401, 403):
            break
        err = err.__cause__ or err.__context__
    else:
        return None
    headers = getattr(err.response, "headers", {}) or {}
    page = f"{endpoint.rstrip('/')}/datasets/{repo_id}"
    token = _token_in_use()
    get_token = (
        "create a read token at https://huggingface.co/settings/tokens and run with it in the environment, "
        "`HF_TOKEN=hf_... snakemake ...` (or log in once with `hf auth login`)"
    )
    if isinstance(err, GatedRepoError) or headers.get("X-Error-Code") == "GatedRepo":
        return DownloadError(
            f"Hugging Face Hub dataset {repo_id!r} is gated: the Hub refused {action} (HTTP {status}, access "
            f"denied, not a missing repo), and {token}.\nTo get access: open {page} while logged in and "
            f"accept its conditions (some repos also need the owners' approval); then {get_token}. The token "
            f"must belong to the account that was granted access.\n{_HOW_TO_RUN_OFFLINE}"
        )
    if headers.get("X-Error-Message") == "Invalid credentials in Authorization header":
        return DownloadError(
            f"The Hugging Face Hub rejected the token as invalid credentials (HTTP {status}) for {action} of "
            f"dataset {repo_id!r}: {token}, but it is mistyped, revoked or expired. Replace it: {get_token}; "
            "or unset HF_TOKEN, since public datasets need no token."
        )
    return DownloadError(
        f"The Hugging Face Hub refused {action} of dataset {repo_id!r} (HTTP {status}, unauthorised), and "
        f"{token}. The repo is private or gated; to a request without a token the Hub also answers this way "
        f"for a repo that does not exist, so check `repo_id` in config/config.yaml too. If you should have "
        f"access: {get_token}; with a token, check that its account can read {page} (a fine-grained token "
        f"needs read access to that repo).\n{_HOW_TO_RUN_OFFLINE}"
    )


def _list_hub_revision(repo_id: str, revision: str):
    """``dataset_info`` of ``repo_id`` at ``revision`` with its files; Hub errors become DownloadError."""
    from huggingface_hub import HfApi, constants
    from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError, RevisionNotFoundError

    endpoint = constants.ENDPOINT
    try:
        return HfApi().dataset_info(repo_id, revision=revision, files_metadata=True)
    except HfHubHTTPError as exc:
        denied = _access_denied(exc, repo_id, endpoint, f"listing revision {revision!r}")
        if denied is not None:
            raise denied from exc
        if isinstance(exc, RevisionNotFoundError):
            raise DownloadError(
                f"Hugging Face Hub dataset {repo_id!r} has no revision {revision!r}; fix `revision` in "
                "config."
            ) from exc
        if isinstance(exc, RepositoryNotFoundError):
            raise DownloadError(f"Hugging Face Hub dataset {repo_id!r} not found at {endpoint}.") from exc
        raise DownloadError(
            f"The Hugging Face Hub at {endpoint} answered with an error while listing dataset {repo_id!r} at "
            f"revision {revision!r}: {str(exc).splitlines()[0]}"
        ) from exc
    except Exception as exc:  # connection errors are raised by the HTTP backend (httpx and friends)
        raise _unreachable(repo_id, revision, endpoint, exc) from exc


def resolve_hub_revision(repo_id: str, revision: str) -> str:
    """The commit hash that ``revision`` (a branch, tag or commit) of Hub dataset ``repo_id`` points at.

    Asks the Hub (``HF_ENDPOINT``, ``HF_TOKEN``); with ``HF_HUB_OFFLINE=1``, the local HF cache, which
    records the commit of every revision downloaded before.  Used by ``python -m slothpipe.pin``.
    """
    from huggingface_hub import constants, snapshot_download

    if constants.HF_HUB_OFFLINE:
        try:
            snapshot = snapshot_download(
                repo_id, repo_type="dataset", revision=revision, local_files_only=True, allow_patterns=[]
            )
        except Exception as exc:
            raise DownloadError(
                f"HF_HUB_OFFLINE is set, but the Hugging Face cache has no snapshot of dataset {repo_id!r} "
                f"at revision {revision!r} ({type(exc).__name__}); unset HF_HUB_OFFLINE to ask the Hub."
            ) from exc
        return Path(snapshot).name  # the cache path is .../snapshots/<commit>
    return _list_hub_revision(repo_id, revision).sha


def _unreachable(repo_id: str, revision: str, endpoint: str, exc: BaseException) -> DownloadError:
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return SourceUnreachable(
        f"Could not reach the Hugging Face Hub at {endpoint} to list dataset {repo_id!r} at revision "
        f"{revision!r} ({type(exc).__name__}: {reason}).\n{_HOW_TO_RUN_OFFLINE}"
    )


def _fetch_hub_online(
    *, source: str, repo_id: str, revision: str, file_glob: str, dest: Path, sha256: str | None
) -> dict[str, Any]:
    from huggingface_hub import constants, hf_hub_download

    endpoint = constants.ENDPOINT
    info = _list_hub_revision(repo_id, revision)
    commit = info.sha
    siblings = {s.rfilename: s for s in (info.siblings or [])}
    path = _single_match(list(siblings), file_glob, f"Hub dataset {repo_id}@{commit}")
    sibling = siblings[path]
    expected_size = sibling.size
    hub_sha = sibling.lfs.sha256 if sibling.lfs is not None else None
    log.info("%s: downloading %s from %s@%s (requested %r)", source, path, repo_id, commit, revision)
    try:
        # Ask for the requested revision (so the cache records the branch -> commit ref that HF_HUB_OFFLINE
        # runs resolve later), then check it still points at the commit that was listed.
        local = Path(hf_hub_download(repo_id, path, repo_type="dataset", revision=revision))
    except Exception as exc:
        denied = _access_denied(exc, repo_id, endpoint, f"the download of {path}")
        if denied is not None:
            raise denied from exc
        raise DownloadError(
            f"Downloading {path} of Hub dataset {repo_id!r} at {commit} from {endpoint} failed "
            f"({type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}). "
            "Nothing was written; re-run to try again."
        ) from exc
    if commit not in local.parts:  # the cache path is .../snapshots/<commit>/<path>
        raise DownloadError(
            f"Hub dataset {repo_id!r}: revision {revision!r} moved from {commit} while downloading; re-run."
        )
    try:
        size, digest = _copy_verified(
            local, dest, size=expected_size, sha256=(hub_sha, sha256), what=f"{source} ({repo_id}/{path})"
        )
    except DownloadError:
        _evict_from_cache(local)
        raise
    return _hub_manifest(
        source=source,
        origin="hub",
        repo_id=repo_id,
        revision=revision,
        resolved=commit,
        path=path,
        size=size,
        sha256=digest,
    )


def _evict_from_cache(local: Path) -> None:
    """Remove a cached file (snapshot link and blob) that failed verification, so it is fetched again."""
    blob = local.resolve()
    local.unlink(missing_ok=True)
    if blob != local:
        blob.unlink(missing_ok=True)


def _fetch_hub_from_cache(
    *, source: str, repo_id: str, revision: str, file_glob: str, dest: Path, sha256: str | None
) -> dict[str, Any]:
    from huggingface_hub import snapshot_download

    try:
        snapshot = Path(
            snapshot_download(
                repo_id,
                repo_type="dataset",
                revision=revision,
                allow_patterns=[file_glob],
                local_files_only=True,
            )
        )
    except Exception as exc:
        raise SourceUnreachable(
            f"HF_HUB_OFFLINE is set, but the Hugging Face cache has no snapshot of dataset {repo_id!r} at "
            f"revision {revision!r} ({type(exc).__name__}). Download it once with network access, or\n"
            f"{_HOW_TO_RUN_OFFLINE}"
        ) from exc
    return _copy_from_tree(
        snapshot,
        source=source,
        repo_id=repo_id,
        revision=revision,
        file_glob=file_glob,
        dest=dest,
        sha256=sha256,
        origin="hf_cache",
        resolved_revision=snapshot.name,  # the cache path is .../snapshots/<commit>
        where=f"HF cache snapshot {snapshot}",
    )


# ------------------------------------------------------------------------------------------ GitHub


def fetch_github_file(
    *,
    source: str,
    repo: str,
    commit: str,
    path: str,
    sha256: str,
    dest: str | os.PathLike[str],
    mirror: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Fetch ``path`` of GitHub repository ``repo`` (``owner/name``) at ``commit`` into ``dest``.

    The content must match ``sha256``.  Returns the manifest.
    """
    dest = Path(dest)
    what = f"{source} ({repo}@{commit[:12]}:{path})"
    if mirror is not None:
        src = Path(mirror) / "github" / repo / commit / path
        if not src.is_file():
            raise DownloadError(
                f"offline mirror {mirror}: no file {src}. The mirror must be laid out as "
                "DIR/github/<owner>/<repo>/<commit>/<path>."
            )
        size, digest = _copy_verified(src, dest, size=None, sha256=(sha256,), what=what)
        origin = "offline_mirror"
    else:
        base = os.environ.get(GITHUB_RAW_ENV, GITHUB_RAW_URL).rstrip("/")
        url = f"{base}/{repo}/{commit}/{path}"
        log.info("%s: downloading %s", source, url)
        with atomic_path(dest) as tmp:
            _download_url(url, tmp, what=what)
            size, digest = _verify(tmp, size=None, sha256=(sha256,), what=what)
        origin = "github"
    return dict(
        source=source,
        kind="github",
        origin=origin,
        repo=repo,
        requested_revision=commit,
        resolved_revision=commit,
        path=path,
        size=size,
        sha256=digest,
    )


def _download_url(url: str, target: Path, *, what: str) -> None:
    """Stream ``url`` into ``target``; raise DownloadError on HTTP errors, network errors or a short read."""
    try:
        with urllib.request.urlopen(url, timeout=HTTP_TIMEOUT) as response, open(target, "wb") as fh:
            shutil.copyfileobj(response, fh)
            declared = response.headers.get("Content-Length")
    except urllib.error.HTTPError as exc:
        raise DownloadError(f"{what}: the server answered HTTP {exc.code} for {url}.") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise DownloadError(
            f"Could not download {url} ({reason}).\nTo run without network access, point the pipeline at a "
            "local mirror: snakemake --config offline_mirror=DIR (laid out as "
            "DIR/github/<owner>/<repo>/<commit>/<path>)."
        ) from exc
    if declared is not None and int(declared) != target.stat().st_size:
        raise DownloadError(
            f"{what}: the download was cut short ({target.stat().st_size} of {declared} bytes)."
        )
