"""A fake Hugging Face Hub (and GitHub raw host) on 127.0.0.1 for download tests.

It implements the few endpoints :mod:`huggingface_hub` uses to list a dataset repo at a revision and to
download a file from it, with the same headers as the real Hub (``X-Repo-Commit``, ``X-Linked-Etag``,
``X-Linked-Size``), plus failure modes: a server error, a response cut off mid-file, and a listing that
declares a different sha256 than the bytes served.  GitHub raw files are served under ``/github/``.

Access control as the real Hub answers it (``X-Error-Code``/``X-Error-Message`` headers that huggingface_hub
maps to its errors): a *gated* repo lists its files to anyone but serves them only with a token granted
access (401 ``GatedRepo`` without a token, 403 ``GatedRepo`` with another valid token); a *private* repo
answers 401 ``RepoNotFound`` to every request without a granted token; a token that is not in ``tokens``
gets 401 "Invalid credentials in Authorization header".  ``authorizations`` records what each request sent.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit


@dataclass
class FakeRepo:
    commits: dict[str, dict[str, bytes]] = field(default_factory=dict)  # commit -> {path: content}
    refs: dict[str, str] = field(default_factory=dict)  # branch -> commit


class FakeHub:
    """State of the fake server; mutate it from tests between requests."""

    def __init__(self) -> None:
        self.repos: dict[str, FakeRepo] = {}
        self.github: dict[str, bytes] = {}  # "owner/repo/commit/path" -> content
        # Failure switches, keyed by file path (Hub) or full GitHub key.
        self.fail_with_500: set[str] = set()
        self.cut_after: dict[str, int] = {}  # serve only this many bytes, then drop the connection
        self.lie_sha256: dict[str, str] = {}  # sha256 declared in the listing instead of the real one
        self.requests: list[tuple[str, str]] = []
        # Access control: valid tokens, and per repo the tokens granted access.
        self.tokens: set[str] = set()
        self.gated: dict[str, set[str]] = {}
        self.private: dict[str, set[str]] = {}
        self.authorizations: list[str | None] = []  # the Authorization header of each request
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- content
    def add_commit(self, repo_id: str, files: dict[str, bytes], branch: str = "main") -> str:
        """Add a commit holding exactly ``files``; move ``branch`` to it; return its 40-hex sha."""
        repo = self.repos.setdefault(repo_id, FakeRepo())
        digest = hashlib.sha1(repr(len(repo.commits)).encode())
        for path in sorted(files):
            digest.update(path.encode() + b"\0" + files[path])
        commit = digest.hexdigest()
        repo.commits[commit] = dict(files)
        repo.refs[branch] = commit
        return commit

    def add_github_file(self, repo: str, commit: str, path: str, content: bytes) -> None:
        self.github[f"{repo}/{commit}/{path}"] = content

    # ---- server
    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeHub:
        hub = self

        class Handler(_Handler):
            state = hub

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def resolve(self, repo_id: str, revision: str) -> str | None:
        repo = self.repos.get(repo_id)
        if repo is None:
            return None
        if revision in repo.commits:
            return revision
        return repo.refs.get(revision)


_INFO = re.compile(r"^/api/datasets/(?P<repo>[^/]+/[^/]+)/revision/(?P<rev>[^/]+)$")
_RESOLVE = re.compile(r"^/datasets/(?P<repo>[^/]+/[^/]+)/resolve/(?P<rev>[^/]+)/(?P<path>.+)$")
_GITHUB = re.compile(r"^/github/(?P<key>.+)$")


class _Handler(BaseHTTPRequestHandler):
    state: FakeHub
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # keep test output quiet
        pass

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if "Content-Length" not in (headers or {}):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def _not_found(self, what: str) -> None:
        self._send(
            404,
            json.dumps({"error": what}).encode(),
            {"Content-Type": "application/json", "X-Error-Code": "EntryNotFound"},
        )

    def do_HEAD(self):
        self._route()

    def do_GET(self):
        self._route()

    def _denied(self, repo_id: str, listing: bool) -> bool:
        """Answer 401/403 as the real Hub does when the request may not see ``repo_id``; True if it did."""
        auth = self.headers.get("Authorization")
        self.state.authorizations.append(auth)
        token = auth.removeprefix("Bearer ") if auth else None
        if token is not None and token not in self.state.tokens:
            self._send(401, b"{}", {"X-Error-Message": "Invalid credentials in Authorization header"})
            return True
        if repo_id in self.state.private and token not in self.state.private[repo_id]:
            self._send(
                401, b"{}", {"X-Error-Code": "RepoNotFound", "X-Error-Message": "Repository not found"}
            )
            return True
        if repo_id in self.state.gated and not listing and token not in self.state.gated[repo_id]:
            message = f"Access to dataset {repo_id} is restricted. You must have access to it."
            self._send(
                403 if token else 401, b"{}", {"X-Error-Code": "GatedRepo", "X-Error-Message": message}
            )
            return True
        return False

    def _route(self) -> None:
        path = unquote(urlsplit(self.path).path)
        self.state.requests.append((self.command, path))
        if m := _INFO.match(path):
            if self._denied(m["repo"], listing=True):
                return None
            return self._info(m["repo"], m["rev"])
        if m := _RESOLVE.match(path):
            if self._denied(m["repo"], listing=False):
                return None
            return self._resolve(m["repo"], m["rev"], m["path"])
        if m := _GITHUB.match(path):
            return self._github(m["key"])
        return self._not_found(path)

    def _info(self, repo_id: str, revision: str) -> None:
        commit = self.state.resolve(repo_id, revision)
        if commit is None:
            code = "RepoNotFound" if repo_id not in self.state.repos else "RevisionNotFound"
            return self._send(404, b"{}", {"Content-Type": "application/json", "X-Error-Code": code})
        files = self.state.repos[repo_id].commits[commit]
        siblings = []
        for name, content in sorted(files.items()):
            sha = self.state.lie_sha256.get(name, hashlib.sha256(content).hexdigest())
            lfs = {"sha256": sha, "size": len(content), "pointerSize": 134}
            siblings.append({"rfilename": name, "size": len(content), "lfs": lfs})
        body = {"id": repo_id, "sha": commit, "private": False, "siblings": siblings}
        self._send(200, json.dumps(body).encode(), {"Content-Type": "application/json"})

    def _resolve(self, repo_id: str, revision: str, name: str) -> None:
        commit = self.state.resolve(repo_id, revision)
        if commit is None or name not in self.state.repos[repo_id].commits[commit]:
            return self._not_found(f"{repo_id}@{revision}:{name}")
        content = self.state.repos[repo_id].commits[commit][name]
        if name in self.state.fail_with_500 and self.command == "GET":
            return self._send(500, b"internal error", {"Content-Type": "text/plain"})
        headers = {
            "X-Repo-Commit": commit,
            "ETag": f'"{hashlib.sha256(content).hexdigest()}"',
            "X-Linked-Etag": f'"{hashlib.sha256(content).hexdigest()}"',
            "X-Linked-Size": str(len(content)),
            "Content-Length": str(len(content)),
            "Content-Type": "application/octet-stream",
            "Accept-Ranges": "none",
        }
        if self.command == "GET" and name in self.state.cut_after:
            self.send_response(200)
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(content[: self.state.cut_after[name]])
            self.wfile.flush()
            self.close_connection = True
            return
        self._send(200, content, headers)

    def _github(self, key: str) -> None:
        if key not in self.state.github:
            return self._send(404, b"404: Not Found", {"Content-Type": "text/plain"})
        content = self.state.github[key]
        if key in self.state.fail_with_500:
            return self._send(500, b"error", {"Content-Type": "text/plain"})
        if key in self.state.cut_after:
            self.send_response(200)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content[: self.state.cut_after[key]])
            self.wfile.flush()
            self.close_connection = True
            return
        self._send(200, content, {"Content-Type": "text/plain"})
