"""A local HTTP server on 127.0.0.1 answering the GitHub REST endpoints agentops uses.

The one stand-in in the suite: PyGithub talks real HTTP to it. It keeps state (pull requests,
labels, comments, reviews, issues, teams), checks the token, and refuses bodies over 65,536
characters as GitHub does, so a client that forgets to fit them fails here too.

Given the bare repository the tests push to (`git_dir`), it reads pull requests' commits from
it as GitHub does: a PR's head is its branch's tip until it is merged (then frozen), its
commits are base..head with their author and committer mapped from email to login
(`logins`), and a review is given on the head commit of the moment unless a test says which.
"""

from __future__ import annotations

import json
import re
import subprocess
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

LIMIT = 65_536


@dataclass
class State:
    owner: str = "acme"
    name: str = "infra"
    token: str = "test-token"
    pulls: dict[int, dict] = field(default_factory=dict)
    issues: dict[int, dict] = field(default_factory=dict)  # pull requests are issues too
    comments: dict[int, dict] = field(default_factory=dict)
    reviews: dict[int, list[dict]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    fail: dict[str, int] = field(default_factory=dict)  # "POST pulls" -> status to answer
    next_id: int = 1
    git_dir: str | None = None  # the bare repository pushes go to (PR heads, PR commits)
    logins: dict[str, str] = field(default_factory=dict)  # commit email -> GitHub login
    pr_author: str = "agentops-bot"  # who opens the pull requests
    teams: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (org, slug) -> logins


class FakeGitHub:
    def __init__(self):
        self.state = State()
        self.lock = threading.Lock()
        handler = _handler(self)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "FakeGitHub":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    # Test helpers ------------------------------------------------------------------------

    def merge(self, number: int, merge_sha: str) -> None:
        pr = self.state.pulls[number]
        pr["head"]["sha"] = self.head_sha(number)  # frozen: the branch may move or go
        pr.update(state="closed", merged=True, merged_at="2025-01-01T00:00:00Z",
                  merge_commit_sha=merge_sha)

    def close(self, number: int) -> None:
        """Close a pull request without merging it (a reviewer's rejection)."""
        self.state.pulls[number].update(state="closed", merged=False, merged_at=None,
                                        closed_at="2025-01-02T00:00:00Z")
        self.state.issues[number]["state"] = "closed"

    def review(self, number: int, login: str, state: str, commit_id: str | None = None) -> None:
        """A submitted review; on the PR's head of the moment unless commit_id says otherwise."""
        self.state.reviews.setdefault(number, []).append(
            {"id": self._id(), "user": {"login": login}, "state": state,
             "commit_id": commit_id or self.head_sha(number),
             "submitted_at": f"2025-01-01T00:00:{len(self.state.reviews.get(number, [])):02d}Z"})

    def head_sha(self, number: int) -> str | None:
        pr = self.state.pulls[number]
        if pr["merged"] or not self.state.git_dir:
            return pr["head"].get("sha")
        return self._git("rev-parse", "--verify", "--quiet", f"refs/heads/{pr['head']['ref']}") or None

    def _git(self, *args: str) -> str:
        out = subprocess.run(["git", "--git-dir", self.state.git_dir, *args],
                             capture_output=True, text=True)
        return out.stdout.strip() if out.returncode == 0 else ""

    def _pull(self, pr: dict) -> dict:
        return {**pr, "head": {**pr["head"], "sha": self.head_sha(pr["number"])}}

    def _commits(self, number: int) -> list[dict]:
        pr = self.state.pulls[number]
        head, base = self.head_sha(number), pr["base"].get("sha")
        if not (self.state.git_dir and head):
            return []
        fmt = "%H%x1f%an%x1f%ae%x1f%cn%x1f%ce%x1f%s"
        log = self._git("log", "--reverse", f"--format={fmt}", f"{base}..{head}" if base else head)
        out = []
        for line in log.splitlines():
            sha, an, ae, cn, ce, subject = line.split("\x1f")
            user = lambda email: {"login": self.state.logins[email]} if email in self.state.logins else None  # noqa: E731
            out.append({"sha": sha, "url": f"{self.repo_url}/commits/{sha}",
                        "commit": {"message": subject, "author": {"name": an, "email": ae},
                                   "committer": {"name": cn, "email": ce}},
                        "author": user(ae), "committer": user(ce)})
        return out

    def _id(self) -> int:
        self.state.next_id += 1
        return self.state.next_id

    @property
    def repo_url(self) -> str:
        return f"{self.url}/repos/{self.state.owner}/{self.state.name}"


def _handler(fake: FakeGitHub):
    s = fake.state

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def _send(self, status: int, payload) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self):
            length = int(self.headers.get("Content-Length") or 0)
            return json.loads(self.rfile.read(length) or b"null")

        def _route(self, method: str) -> None:
            url = urlparse(self.path)
            s.requests.append((method, url.path))
            if self.headers.get("Authorization") != f"token {s.token}" and \
                    self.headers.get("Authorization") != f"Bearer {s.token}":
                return self._send(401, {"message": "Bad credentials"})
            if url.path.startswith("/orgs/"):
                with fake.lock:
                    status, payload = self._org(url.path)
                return self._send(status, payload)
            prefix = f"/repos/{s.owner}/{s.name}"
            if not url.path.startswith(prefix):
                return self._send(404, {"message": "Not Found"})
            path = url.path[len(prefix):]
            body = self._body() if method in ("POST", "PATCH") else None
            for kind, status in s.fail.items():
                m, frag = kind.split(" ", 1)
                if m == method and frag in path:
                    return self._send(status, {"message": f"injected failure on {kind}"})
            if isinstance(body, dict) and len(body.get("body") or "") > LIMIT:
                return self._send(422, {"message": "Validation Failed",
                                        "errors": [{"message": "body is too long (maximum is 65536 characters)"}]})
            with fake.lock:
                status, payload = self._dispatch(method, path, parse_qs(url.query), body)
            self._send(status, payload)

        def _org(self, path):
            if m := re.fullmatch(r"/orgs/([\w-]+)", path):
                return 200, {"login": m[1], "url": f"{fake.url}/orgs/{m[1]}"}
            if m := re.fullmatch(r"/orgs/([\w-]+)/teams/([\w-]+)", path):
                if (m[1], m[2]) not in s.teams:
                    return 404, {"message": "Not Found"}
                return 200, {"id": 7, "slug": m[2], "name": m[2],
                             "url": f"{fake.url}/orgs/{m[1]}/teams/{m[2]}"}
            if m := re.fullmatch(r"/orgs/([\w-]+)/teams/([\w-]+)/members", path):
                if (m[1], m[2]) not in s.teams:
                    return 404, {"message": "Not Found"}
                return 200, [{"login": login} for login in s.teams[(m[1], m[2])]]
            return 404, {"message": f"Not Found: {path}"}

        def _dispatch(self, method, path, query, body):
            base = fake.repo_url
            if method == "GET" and path == "":
                return 200, {"id": 1, "name": s.name, "full_name": f"{s.owner}/{s.name}",
                             "owner": {"login": s.owner}, "url": base,
                             "html_url": f"https://github.com/{s.owner}/{s.name}"}
            if method == "POST" and path == "/pulls":
                if any(p["head"]["ref"] == body["head"] and p["state"] == "open" for p in s.pulls.values()):
                    return 422, {"message": "A pull request already exists"}
                number = len(s.issues) + 1
                base_sha = fake._git("rev-parse", "--verify", "--quiet",
                                     f"refs/heads/{body['base']}") if s.git_dir else ""
                pr = {"number": number, "id": fake._id(), "title": body["title"], "body": body.get("body"),
                      "state": "open", "merged": False, "merged_at": None, "merge_commit_sha": None,
                      "head": {"ref": body["head"]}, "base": {"ref": body["base"], "sha": base_sha or None},
                      "url": f"{base}/pulls/{number}", "issue_url": f"{base}/issues/{number}",
                      "html_url": f"https://github.com/{s.owner}/{s.name}/pull/{number}",
                      "labels": [], "user": {"login": s.pr_author}}
                s.pulls[number] = pr
                s.issues[number] = {"number": number, "title": body["title"], "body": body.get("body"),
                                    "labels": pr["labels"], "state": "open", "pull_request": {"url": pr["url"]},
                                    "url": f"{base}/issues/{number}", "html_url": pr["html_url"]}
                return 201, fake._pull(pr)
            if path == "/pulls" and method == "GET":
                state = (query.get("state") or ["open"])[0]
                return 200, [fake._pull(p) for p in s.pulls.values() if state == "all" or p["state"] == state]
            if m := re.fullmatch(r"/pulls/(\d+)", path):
                if int(m[1]) not in s.pulls:
                    return 404, {"message": "Not Found"}
                return 200, fake._pull(s.pulls[int(m[1])])
            if m := re.fullmatch(r"/pulls/(\d+)/commits", path):
                return 200, fake._commits(int(m[1]))
            if m := re.fullmatch(r"/issues/(\d+)/labels", path):
                issue = s.issues[int(m[1])]
                for name in body:
                    if name not in [lb["name"] for lb in issue["labels"]]:
                        issue["labels"].append({"name": name, "url": f"{base}/labels/{name}"})
                return 200, issue["labels"]
            if m := re.fullmatch(r"/issues/(\d+)/comments", path):
                number = int(m[1])
                if number not in s.issues:
                    return 404, {"message": "Not Found"}
                if method == "GET":
                    return 200, [c for c in s.comments.values() if c["issue"] == number]
                cid = fake._id()
                s.comments[cid] = {"id": cid, "issue": number, "body": body["body"],
                                   "url": f"{base}/issues/comments/{cid}",
                                   "html_url": f"https://github.com/{s.owner}/{s.name}/pull/{number}#issuecomment-{cid}"}
                return 201, s.comments[cid]
            if (m := re.fullmatch(r"/issues/comments/(\d+)", path)) and method == "PATCH":
                comment = s.comments[int(m[1])]
                comment["body"] = body["body"]
                return 200, comment
            if m := re.fullmatch(r"/issues/(\d+)", path):
                number = int(m[1])
                if number not in s.issues:
                    return 404, {"message": "Not Found"}
                if method == "PATCH":
                    s.issues[number].update({k: v for k, v in body.items() if k in ("body", "title", "state")})
                return 200, s.issues[number]
            if path == "/issues" and method == "GET":
                wanted = set((query.get("labels") or [""])[0].split(",")) - {""}
                state = (query.get("state") or ["open"])[0]
                out = [i for i in s.issues.values()
                       if i["state"] == state and wanted <= {lb["name"] for lb in i["labels"]}]
                return 200, out
            if path == "/issues" and method == "POST":
                number = len(s.issues) + 1
                s.issues[number] = {"number": number, "title": body["title"], "body": body.get("body"),
                                    "labels": [{"name": n} for n in body.get("labels", [])],
                                    "state": "open", "pull_request": None,
                                    "url": f"{base}/issues/{number}",
                                    "html_url": f"https://github.com/{s.owner}/{s.name}/issues/{number}"}
                return 201, s.issues[number]
            if m := re.fullmatch(r"/commits/([0-9a-f]+)/pulls", path):
                return 200, [fake._pull(p) for p in s.pulls.values() if p["merge_commit_sha"] == m[1]]
            if m := re.fullmatch(r"/commits/([0-9a-f]+)", path):
                return 200, {"sha": m[1], "url": f"{base}/commits/{m[1]}"}
            if m := re.fullmatch(r"/pulls/(\d+)/reviews", path):
                return 200, s.reviews.get(int(m[1]), [])
            return 404, {"message": f"Not Found: {method} {path}"}

        def do_GET(self):
            self._route("GET")

        def do_POST(self):
            self._route("POST")

        def do_PATCH(self):
            self._route("PATCH")

        def do_DELETE(self):
            self._route("DELETE")

    return Handler
