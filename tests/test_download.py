"""The real huggingface_hub download code against a fake Hub on 127.0.0.1, a seeded HF cache and a mirror.

Each download runs in a fresh Python process so that ``HF_ENDPOINT``, ``HF_HOME`` and ``HF_HUB_OFFLINE`` are
read by huggingface_hub exactly as in a pipeline job.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from slothpipe.download import GITHUB_RAW_ENV

import pandas as pd
import pytest
from synthetic_sources import V1_SCHEMA, v1_entry, write_leaderboard

REPO = "open-llm-leaderboard-old/contents"
V1_FILE = "data/train-00000-of-00001-3f2a.parquet"
GH_REPO = "ryoungj/ObsScaling"
GH_COMMIT = "43dad3252c7fab354de3ee2e197a0a467cb5d327"
GH_PATH = "eval_results/base_llm_benchmark_eval.csv"


def v1_parquet(n: int = 3) -> bytes:
    """A small parquet file in the exact schema of the v1 leaderboard export on the Hub."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "v1.parquet"
        write_leaderboard(path, V1_SCHEMA, [v1_entry(f"org/model-{i}", 25.0 + i) for i in range(n)])
        return path.read_bytes()


def run_fetch(call: str, *, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``call`` (an expression using the download API) in a fresh interpreter; print the manifest."""
    code = textwrap.dedent(
        f"""
        import json, sys
        from slothpipe.download import fetch_hub_file, fetch_github_file
        from slothpipe.errors import DownloadError
        try:
            manifest = {call}
        except DownloadError as exc:
            print(exc, file=sys.stderr)
            sys.exit(3)
        print(json.dumps(manifest))
        """
    )
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-c", code], env=full_env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


def hub_call(dest: str = "out/v1.parquet", revision: str = "main", sha256: str | None = None) -> str:
    return (
        f"fetch_hub_file(source='leaderboard_v1', repo_id={REPO!r}, revision={revision!r}, "
        f"file_glob='data/train-*.parquet', dest={dest!r}, sha256={sha256!r})"
    )


@pytest.fixture
def hf_env(fake_hub, tmp_path):
    return {
        "HF_ENDPOINT": fake_hub.url,
        "HF_HOME": str(tmp_path / "hf_home"),
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
        "HF_HUB_DOWNLOAD_TIMEOUT": "5",
        "HF_HUB_ETAG_TIMEOUT": "5",
    }


def test_hub_download_records_resolved_commit(fake_hub, hf_env, tmp_path):
    content = v1_parquet()
    commit = fake_hub.add_commit(REPO, {V1_FILE: content, "README.md": b"# card"})
    result = run_fetch(hub_call(), env=hf_env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    manifest = json.loads(result.stdout)
    assert manifest == {
        "source": "leaderboard_v1",
        "kind": "hub",
        "origin": "hub",
        "repo_id": REPO,
        "repo_type": "dataset",
        "requested_revision": "main",
        "resolved_revision": commit,
        "path": V1_FILE,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
    }
    assert (tmp_path / "out" / "v1.parquet").read_bytes() == content
    assert pd.read_parquet(tmp_path / "out" / "v1.parquet")["fullname"].tolist()[0] == "org/model-0"


def test_hub_file_name_is_resolved_per_revision(fake_hub, hf_env, tmp_path):
    """The v1 repo renamed its parquet file across commits: the listing at the pinned revision decides."""
    old = fake_hub.add_commit(REPO, {"data/train-00000-of-00001-aaaa.parquet": v1_parquet(2)})
    fake_hub.add_commit(REPO, {"data/train-00000-of-00001-bbbb.parquet": v1_parquet(4)})
    pinned = run_fetch(hub_call(dest="out/old.parquet", revision=old), env=hf_env, cwd=tmp_path)
    latest = run_fetch(hub_call(dest="out/new.parquet"), env=hf_env, cwd=tmp_path)
    assert pinned.returncode == 0 and latest.returncode == 0, pinned.stderr + latest.stderr
    assert json.loads(pinned.stdout)["path"] == "data/train-00000-of-00001-aaaa.parquet"
    assert json.loads(pinned.stdout)["resolved_revision"] == old
    assert json.loads(latest.stdout)["path"] == "data/train-00000-of-00001-bbbb.parquet"
    assert len(pd.read_parquet(tmp_path / "out" / "old.parquet")) == 2
    assert len(pd.read_parquet(tmp_path / "out" / "new.parquet")) == 4


@pytest.mark.slow(seconds=10)  # huggingface_hub retries the cut download with back-off
@pytest.mark.parametrize("failure", ["cut", "500"])
def test_hub_failure_mid_download_keeps_no_file(fake_hub, hf_env, tmp_path, failure):
    content = v1_parquet(50)
    fake_hub.add_commit(REPO, {V1_FILE: content})
    if failure == "cut":
        fake_hub.cut_after[V1_FILE] = len(content) // 2
    else:
        fake_hub.fail_with_500.add(V1_FILE)
    result = run_fetch(hub_call(), env=hf_env, cwd=tmp_path)
    assert result.returncode == 3, result.stderr
    assert "Nothing was written" in result.stderr
    assert not (tmp_path / "out" / "v1.parquet").exists()
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())  # no temporary left over
    # No complete-looking file in the HF cache either: a later run must download again, not trust a stub.
    blobs = list((tmp_path / "hf_home").rglob("blobs/*"))
    assert all(p.name.endswith(".incomplete") for p in blobs), blobs
    # Once the server behaves, the same call succeeds and yields the full file.
    fake_hub.cut_after.clear()
    fake_hub.fail_with_500.clear()
    retry = run_fetch(hub_call(), env=hf_env, cwd=tmp_path)
    assert retry.returncode == 0, retry.stderr
    assert (tmp_path / "out" / "v1.parquet").read_bytes() == content


def test_hub_checksum_mismatch_is_a_clear_error(fake_hub, hf_env, tmp_path):
    content = v1_parquet()
    fake_hub.add_commit(REPO, {V1_FILE: content})
    fake_hub.lie_sha256[V1_FILE] = "ab" * 32
    result = run_fetch(hub_call(), env=hf_env, cwd=tmp_path)
    assert result.returncode == 3
    assert "checksum mismatch" in result.stderr
    assert "ab" * 32 in result.stderr and hashlib.sha256(content).hexdigest() in result.stderr
    assert not (tmp_path / "out" / "v1.parquet").exists()
    # The bad file was evicted from the cache, so it is not silently reused later.
    assert not [p for p in (tmp_path / "hf_home").rglob("blobs/*") if not p.name.endswith(".incomplete")]


def test_hub_pinned_sha256_from_config_is_checked(fake_hub, hf_env, tmp_path):
    fake_hub.add_commit(REPO, {V1_FILE: v1_parquet()})
    result = run_fetch(hub_call(sha256="cd" * 32), env=hf_env, cwd=tmp_path)
    assert result.returncode == 3
    assert "checksum mismatch" in result.stderr and "cd" * 32 in result.stderr


def test_hub_unknown_revision(fake_hub, hf_env, tmp_path):
    fake_hub.add_commit(REPO, {V1_FILE: v1_parquet()})
    result = run_fetch(hub_call(revision="no-such-branch"), env=hf_env, cwd=tmp_path)
    assert result.returncode == 3
    assert "no revision 'no-such-branch'" in result.stderr


def test_hub_glob_must_match_exactly_one_file(fake_hub, hf_env, tmp_path):
    fake_hub.add_commit(REPO, {"data/train-1.parquet": b"a", "data/train-2.parquet": b"b"})
    result = run_fetch(hub_call(), env=hf_env, cwd=tmp_path)
    assert result.returncode == 3
    assert "expected exactly one file matching 'data/train-*.parquet', found 2" in result.stderr


def test_seeded_cache_with_hf_hub_offline(fake_hub, hf_env, tmp_path):
    content = v1_parquet()
    commit = fake_hub.add_commit(REPO, {V1_FILE: content})
    seeded = run_fetch(hub_call(dest="out/first.parquet"), env=hf_env, cwd=tmp_path)
    assert seeded.returncode == 0, seeded.stderr
    fake_hub.stop()  # from now on the Hub is unreachable
    offline_env = {**hf_env, "HF_HUB_OFFLINE": "1"}
    result = run_fetch(hub_call(), env=offline_env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    manifest = json.loads(result.stdout)
    assert manifest["origin"] == "hf_cache"
    assert manifest["resolved_revision"] == commit
    assert manifest["sha256"] == hashlib.sha256(content).hexdigest()
    assert (tmp_path / "out" / "v1.parquet").read_bytes() == content


def test_offline_without_cache_explains_what_to_do(tmp_path):
    env = {"HF_HOME": str(tmp_path / "empty_home"), "HF_HUB_OFFLINE": "1"}
    result = run_fetch(hub_call(), env=env, cwd=tmp_path)
    assert result.returncode == 3
    assert "HF_HUB_OFFLINE is set" in result.stderr and "offline_mirror=DIR" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_hub_fails_fast_with_advice(tmp_path):
    # A port on 127.0.0.1 where nothing listens: the connection is refused at once.
    env = {"HF_ENDPOINT": "http://127.0.0.1:9", "HF_HOME": str(tmp_path / "hf")}
    result = run_fetch(hub_call(), env=env, cwd=tmp_path)
    assert result.returncode == 3
    assert "Could not reach the Hugging Face Hub at http://127.0.0.1:9" in result.stderr
    assert "offline_mirror=DIR" in result.stderr and "HF_HUB_OFFLINE=1" in result.stderr


def gh_call(sha256: str, dest: str = "out/base.csv") -> str:
    return (
        f"fetch_github_file(source='obsscaling_base', repo={GH_REPO!r}, commit={GH_COMMIT!r}, "
        f"path={GH_PATH!r}, sha256={sha256!r}, dest={dest!r})"
    )


def test_github_download_checked_against_sha256(fake_hub, tmp_path):
    content = b"Model,MMLU\nmeta-llama/Llama-2-7b-hf,0.43\n"
    fake_hub.add_github_file(GH_REPO, GH_COMMIT, GH_PATH, content)
    env = {GITHUB_RAW_ENV: f"{fake_hub.url}/github"}
    good = run_fetch(gh_call(hashlib.sha256(content).hexdigest()), env=env, cwd=tmp_path)
    assert good.returncode == 0, good.stderr
    manifest = json.loads(good.stdout)
    assert manifest["resolved_revision"] == GH_COMMIT and manifest["size"] == len(content)
    assert (tmp_path / "out" / "base.csv").read_bytes() == content

    bad = run_fetch(gh_call("ef" * 32, dest="out/bad.csv"), env=env, cwd=tmp_path)
    assert bad.returncode == 3 and "checksum mismatch" in bad.stderr
    assert not (tmp_path / "out" / "bad.csv").exists()


def test_github_cut_download_keeps_no_file(fake_hub, tmp_path):
    content = b"x" * 10_000
    fake_hub.add_github_file(GH_REPO, GH_COMMIT, GH_PATH, content)
    fake_hub.cut_after[f"{GH_REPO}/{GH_COMMIT}/{GH_PATH}"] = 100
    env = {GITHUB_RAW_ENV: f"{fake_hub.url}/github"}
    result = run_fetch(gh_call(hashlib.sha256(content).hexdigest()), env=env, cwd=tmp_path)
    assert result.returncode == 3
    assert not (tmp_path / "out" / "base.csv").exists()
    assert not list((tmp_path / "out").iterdir())


def test_mirror_layout(tmp_path):
    mirror = tmp_path / "mirror"
    hub_file = mirror / "hub" / REPO / V1_FILE
    hub_file.parent.mkdir(parents=True)
    hub_file.write_bytes(v1_parquet())
    gh_file = mirror / "github" / GH_REPO / GH_COMMIT / GH_PATH
    gh_file.parent.mkdir(parents=True)
    gh_file.write_bytes(b"a,b\n1,2\n")
    call = hub_call().replace("sha256=None)", f"sha256=None, mirror={str(mirror)!r})")
    result = run_fetch(call, env={}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    manifest = json.loads(result.stdout)
    assert manifest["origin"] == "offline_mirror" and manifest["path"] == V1_FILE
    assert manifest["resolved_revision"] is None

    digest = hashlib.sha256(b"a,b\n1,2\n").hexdigest()
    call = gh_call(digest).replace("dest='out/base.csv')", f"dest='out/base.csv', mirror={str(mirror)!r})")
    assert run_fetch(call, env={}, cwd=tmp_path).returncode == 0

    missing = gh_call(digest).replace(")", f", mirror={str(tmp_path / 'nowhere')!r})")
    result = run_fetch(missing, env={}, cwd=tmp_path)
    assert result.returncode == 3 and "DIR/github/<owner>/<repo>/<commit>/<path>" in result.stderr


# ------------------------------------------------------------------------ access: HF_TOKEN, gated, private


def test_hf_token_is_sent_and_opens_a_gated_repo(fake_hub, hf_env, tmp_path):
    content = v1_parquet()
    commit = fake_hub.add_commit(REPO, {V1_FILE: content})
    fake_hub.tokens.add("hf_granted")
    fake_hub.gated[REPO] = {"hf_granted"}
    result = run_fetch(hub_call(), env={**hf_env, "HF_TOKEN": "hf_granted"}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["resolved_revision"] == commit
    assert (tmp_path / "out" / "v1.parquet").read_bytes() == content
    assert fake_hub.authorizations and set(fake_hub.authorizations) == {"Bearer hf_granted"}


@pytest.mark.parametrize(("token", "status"), [(None, 401), ("hf_other", 403)])
def test_gated_repo_is_reported_as_gated_with_what_to_do(fake_hub, hf_env, tmp_path, token, status):
    fake_hub.add_commit(REPO, {V1_FILE: v1_parquet()})
    fake_hub.tokens.update({"hf_granted", "hf_other"})
    fake_hub.gated[REPO] = {"hf_granted"}
    env = {**hf_env, **({"HF_TOKEN": token} if token else {})}
    result = run_fetch(hub_call(), env=env, cwd=tmp_path)
    assert result.returncode == 3, result.stderr
    err = result.stderr
    assert f"dataset {REPO!r} is gated" in err and f"HTTP {status}" in err
    assert "not found" not in err.lower()
    assert f"open {fake_hub.url}/datasets/{REPO} while logged in and accept its conditions" in err
    assert "HF_TOKEN=hf_... snakemake" in err
    sent = "the token in HF_TOKEN was sent" if token else "no token was sent (HF_TOKEN is not set"
    assert sent in err
    assert "hf_other" not in err  # the token itself is never printed
    assert not (tmp_path / "out" / "v1.parquet").exists()


def test_private_repo_and_bad_token_are_access_errors_not_not_found(fake_hub, hf_env, tmp_path):
    fake_hub.add_commit(REPO, {V1_FILE: v1_parquet()})
    fake_hub.private[REPO] = {"hf_granted"}
    result = run_fetch(hub_call(), env=hf_env, cwd=tmp_path)
    assert result.returncode == 3
    assert f"refused listing revision 'main' of dataset {REPO!r} (HTTP 401, unauthorised)" in result.stderr
    assert "The repo is private or gated" in result.stderr and "HF_TOKEN=hf_..." in result.stderr
    assert "not found at" not in result.stderr

    bad = run_fetch(hub_call(), env={**hf_env, "HF_TOKEN": "hf_revoked"}, cwd=tmp_path)
    assert bad.returncode == 3
    assert "rejected the token as invalid credentials (HTTP 401)" in bad.stderr
    assert "the token in HF_TOKEN was sent" in bad.stderr and "hf_revoked" not in bad.stderr


# ------------------------------------------------------------------------------- pinning a Hub revision


def run_pin(args: list[str], *, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "slothpipe.pin", *args],
        env=full_env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_pin_resolves_the_revision_and_the_download_follows_the_pin(fake_hub, hf_env, tmp_path):
    import yaml

    old_content, new_content = v1_parquet(2), v1_parquet(4)
    first = fake_hub.add_commit(REPO, {V1_FILE: old_content})
    v2 = fake_hub.add_commit("open-llm-leaderboard/contents", {V1_FILE: v1_parquet(1)})
    original = (Path(__file__).resolve().parents[1] / "config" / "config.yaml").read_text(encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text(original, encoding="utf-8")

    result = run_pin(["--config", str(config)], env=hf_env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"leaderboard_v1: {REPO} main -> {first} (was main)" in result.stdout
    pinned = config.read_text(encoding="utf-8")
    hub = yaml.safe_load(pinned)["sources"]["hub"]
    assert hub["leaderboard_v1"]["revision"] == first and hub["leaderboard_v2"]["revision"] == v2
    changed = [(a, b) for a, b in zip(original.splitlines(), pinned.splitlines(), strict=True) if a != b]
    assert [a.strip() for a, _ in changed] == ["revision: main", "revision: main"]  # comments, layout kept
    assert changed[0][1].strip() == f"revision: {first}  # pinned from 'main' by python -m slothpipe.pin"

    # the leaderboard moves on; the pinned config still downloads the pinned commit, and says so
    fake_hub.add_commit(REPO, {V1_FILE: new_content})
    fetch = run_fetch(hub_call(revision=hub["leaderboard_v1"]["revision"]), env=hf_env, cwd=tmp_path)
    assert fetch.returncode == 0, fetch.stderr
    manifest = json.loads(fetch.stdout)
    assert manifest["requested_revision"] == manifest["resolved_revision"] == first
    assert (tmp_path / "out" / "v1.parquet").read_bytes() == old_content

    again = run_pin(["--config", str(config)], env=hf_env, cwd=tmp_path)  # a pinned commit stays
    assert again.returncode == 0 and "already pinned" in again.stdout
    assert config.read_text(encoding="utf-8") == pinned
    moved = run_pin(
        ["--config", str(config), "--revision", "main", "leaderboard_v1"], env=hf_env, cwd=tmp_path
    )
    assert moved.returncode == 0, moved.stderr
    assert yaml.safe_load(config.read_text())["sources"]["hub"]["leaderboard_v1"]["revision"] != first

    unknown = run_pin(["--config", str(config), "leaderboard_v3"], env=hf_env, cwd=tmp_path)
    assert unknown.returncode == 1
    assert (
        "no Hub source 'leaderboard_v3' under sources.hub (there are: leaderboard_v1, leaderboard_v2, "
        "monkey_business)" in unknown.stderr
    )


def test_pin_offline_uses_the_commit_recorded_in_the_hf_cache(fake_hub, hf_env, tmp_path):
    commit = fake_hub.add_commit(REPO, {V1_FILE: v1_parquet()})
    assert run_fetch(hub_call(), env=hf_env, cwd=tmp_path).returncode == 0  # seeds the cache
    fake_hub.stop()
    config = tmp_path / "config.yaml"
    config.write_text(
        f"sources:\n  hub:\n    leaderboard_v1:\n      repo_id: {REPO}\n      revision: main\n",
        encoding="utf-8",
    )
    result = run_pin(["--config", str(config)], env={**hf_env, "HF_HUB_OFFLINE": "1"}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"revision: {commit}  # pinned from 'main'" in config.read_text(encoding="utf-8")


def test_pin_without_the_hub_says_what_pinning_needs(tmp_path):
    config = tmp_path / "config.yaml"
    text = f"sources:\n  hub:\n    leaderboard_v1:\n      repo_id: {REPO}\n      revision: main\n"
    config.write_text(text, encoding="utf-8")
    env = {"HF_ENDPOINT": "http://127.0.0.1:9", "HF_HOME": str(tmp_path / "hf")}  # connection refused
    result = run_pin(["--config", str(config)], env=env, cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "leaderboard_v1: cannot resolve revision 'main'" in result.stderr
    assert "Could not reach the Hugging Face Hub at http://127.0.0.1:9" in result.stderr
    assert config.read_text(encoding="utf-8") == text  # nothing written


def test_a_mirror_manifest_records_no_revision_it_did_not_check(tmp_path):
    # Issue 11, finding 5: a revision that does not exist was written into the manifest as the requested one.
    mirror = tmp_path / "mirror"
    hub_file = mirror / "hub" / REPO / V1_FILE
    hub_file.parent.mkdir(parents=True)
    hub_file.write_bytes(v1_parquet())
    bad = "0" * 37 + "bad"
    call = hub_call(revision=bad).replace("sha256=None)", f"sha256=None, mirror={str(mirror)!r})")
    result = run_fetch(call, env={}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    manifest = json.loads(result.stdout)
    assert bad not in result.stdout
    assert manifest["requested_revision"] is None and manifest["resolved_revision"] is None
    assert manifest["checked"].startswith("revision not checked (the mirror records none)")
    assert manifest["sha256"] == hashlib.sha256(hub_file.read_bytes()).hexdigest()
    assert f"revision '{bad}' of the configuration is not checked" in result.stderr


def test_mirror_content_key_follows_the_content_not_the_location(tmp_path):
    from slothpipe.download import mirror_content_key

    for name in ("a", "b"):
        path = tmp_path / name / "hub" / REPO / V1_FILE
        path.parent.mkdir(parents=True)
        path.write_bytes(v1_parquet())
    key = mirror_content_key(tmp_path / "a", REPO, "data/train-*.parquet")
    assert key == hashlib.sha256(v1_parquet()).hexdigest()
    assert mirror_content_key(tmp_path / "b", REPO, "data/train-*.parquet") == key
    (tmp_path / "b" / "hub" / REPO / V1_FILE).write_bytes(v1_parquet(4))
    assert mirror_content_key(tmp_path / "b", REPO, "data/train-*.parquet") != key
    assert mirror_content_key(None, REPO, "data/train-*.parquet") is None
    assert mirror_content_key(tmp_path / "nowhere", REPO, "data/train-*.parquet") is None
