"""GitHub: pull requests for proposals, the preview comment, the apply gate, the drift issue.

Everything goes through PyGithub. The repository comes from the git remote's URL (https, ssh
and scp-like forms; GitHub Enterprise when GITHUB_API_URL names its API), the token from
GITHUB_TOKEN/GH_TOKEN or the gh CLI's login. GitHub refuses bodies over 65,536 characters, so
every body is fitted to that limit here, keeping the summary and trimming the detail.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from urllib.parse import urlparse

from agentops.errors import AgentOpsError

GITHUB_LIMIT = 65_536
PUBLIC_HOST = "github.com"
PUBLIC_API = "https://api.github.com"
LABEL = "agentops"
PREVIEW_MARKER = "<!-- agentops:preview -->"
DRIFT_LABEL = "agentops:drift"
TRIM_NOTE = "\n\n_… trimmed to fit GitHub's 65,536-character limit; the full text is in the CI log._\n"


class ForgeError(AgentOpsError):
    """GitHub refused or could not be reached."""


@dataclass(frozen=True)
class RepoRef:
    host: str
    owner: str
    name: str
    api_url: str

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


_SCP = re.compile(r"^(?:[\w.-]+@)?(?P<host>[\w.-]+):(?P<path>[^/].*)$")


def parse_remote(url: str, env: dict[str, str] | None = None) -> RepoRef | None:
    """A git remote URL -> the GitHub repository it names, or None when it is not GitHub.

    github.com is always GitHub; another host is GitHub Enterprise when GITHUB_API_URL or
    GITHUB_SERVER_URL names it (as Actions sets them on GHE).
    """
    env = os.environ if env is None else env
    url = url.strip()
    if "://" in url:
        parsed = urlparse(url)
        host, path = (parsed.hostname or ""), parsed.path
    elif match := _SCP.match(url):
        host, path = match["host"], match["path"]
    else:
        return None  # a local path: no forge
    parts = [p for p in path.strip("/").removesuffix(".git").split("/") if p]
    if len(parts) != 2 or not host:
        return None
    api = env.get("GITHUB_API_URL", "").rstrip("/")
    enterprise_hosts = {urlparse(env[k]).hostname for k in ("GITHUB_API_URL", "GITHUB_SERVER_URL")
                        if env.get(k)}
    if host == PUBLIC_HOST:
        return RepoRef(host, parts[0], parts[1], api or PUBLIC_API)
    if host in enterprise_hosts:
        return RepoRef(host, parts[0], parts[1], api or f"https://{host}/api/v3")
    return None


def github_token(env: dict[str, str] | None = None) -> str | None:
    """GITHUB_TOKEN / GH_TOKEN, else the gh CLI's login; None when there is none."""
    env = os.environ if env is None else env
    for key in ("GITHUB_TOKEN", "GH_TOKEN"):
        if env.get(key):
            return env[key]
    gh = shutil.which("gh")
    if gh:
        try:
            out = subprocess.run([gh, "auth", "token"], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return None
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    return None


def fit(text: str, limit: int = GITHUB_LIMIT) -> str:
    """Text cut at a line boundary to fit `limit` characters, with a note when it was cut."""
    if len(text) <= limit:
        return text
    keep = text[: limit - len(TRIM_NOTE)]
    # Prefer a line boundary, unless the last line is most of the text (one huge line).
    if "\n" in keep and keep.rindex("\n") > len(keep) // 2:
        keep = keep[: keep.rindex("\n")]
    # An open <details> or code fence would swallow the note: close what was cut open.
    if keep.count("```") % 2:
        keep += "\n```"
    if keep.count("<details>") > keep.count("</details>"):
        keep += "\n</details>"
    return (keep + TRIM_NOTE)[:limit]


@dataclass
class PullRequest:
    number: int
    url: str


@dataclass(frozen=True)
class Review:
    """One submitted review of a pull request, as GitHub records it."""

    id: int
    reviewer: str | None
    state: str  # APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED
    commit_id: str | None  # the PR head commit the review was given on
    submitted_at: str | None  # ISO 8601


@dataclass
class MergedChange:
    """The merged pull request behind a commit on main: the facts the apply gate decides on
    (agentops.apply decides which approvals count)."""

    number: int
    url: str
    labels: list[str] = field(default_factory=list)
    author: str | None = None
    head_sha: str | None = None  # the PR's final head commit: what was reviewed and merged
    merge_commit_sha: str | None = None
    reviews: list[Review] = field(default_factory=list)  # oldest first
    # Who made the final head commit (GitHub logins; None when the email maps to no account).
    head_author: str | None = None
    head_committer: str | None = None
    commits: int = 0

    @property
    def risk_level(self) -> str | None:
        """The level the PR's `risk:` labels claim, the highest when there are several (a
        claim: it can only raise the gate); an unknown level as written when none is known."""
        order = ("low", "medium", "high", "critical")
        claimed = [lb.removeprefix("risk:") for lb in self.labels if lb.startswith("risk:")]
        known = [level for level in claimed if level in order]
        if known:
            return max(known, key=order.index)
        return claimed[0] if claimed else None


class Forge:
    """One GitHub repository, through PyGithub."""

    def __init__(self, ref: RepoRef, token: str, timeout: int = 30):
        from github import Auth, Github

        self.ref = ref
        self._gh = Github(auth=Auth.Token(token), base_url=ref.api_url, timeout=timeout, retry=None)
        self._repo = None

    @classmethod
    def from_remote(cls, url: str | None) -> "Forge | None":
        """The forge for a remote URL, or None without a GitHub remote or a token."""
        ref = parse_remote(url) if url else None
        token = github_token() if ref else None
        return cls(ref, token) if ref and token else None

    @property
    def repo(self):
        if self._repo is None:
            self._repo = self._call("read the repository", self._gh.get_repo, self.ref.full_name)
        return self._repo

    def _call(self, what: str, fn, *args, **kwargs):
        from github import GithubException

        try:
            return fn(*args, **kwargs)
        except GithubException as exc:
            detail = exc.data.get("message") if isinstance(exc.data, dict) else exc.data
            raise ForgeError(
                f"GitHub refused to {what} in {self.ref.full_name}: {exc.status} {detail}",
                hint="check GITHUB_TOKEN's access (contents, pull-requests, issues: write)",
            ) from None
        except OSError as exc:
            raise ForgeError(f"could not reach {self.ref.api_url} to {what}: {exc}",
                             hint="check the network and GITHUB_API_URL") from None

    def open_pull_request(self, head: str, base: str, title: str, body: str,
                          labels: list[str]) -> PullRequest:
        pr = self._call("open a pull request", self.repo.create_pull,
                        base=base, head=head, title=title[:256], body=fit(body))
        if labels:
            self._call("label the pull request", pr.add_to_labels, *labels)
        return PullRequest(pr.number, pr.html_url)

    def upsert_comment(self, number: int, body: str, marker: str = PREVIEW_MARKER) -> str:
        """One comment per marker on the PR: edited in place on every run. Returns its URL."""
        text = fit(f"{marker}\n{body}")
        issue = self._call("read the pull request", self.repo.get_issue, number)
        for comment in self._call("list comments", lambda: list(issue.get_comments())):
            if marker in (comment.body or ""):
                self._call("update the comment", comment.edit, text)
                return comment.html_url
        return self._call("comment", issue.create_comment, text).html_url

    def merged_change(self, sha: str) -> MergedChange | None:
        """The merged PR whose merge (or squash, or rebase) produced `sha`: its head commit,
        who made that commit, and every review with the commit it was given on."""
        commit = self._call("read the commit", self.repo.get_commit, sha)
        for pr in self._call("list the commit's pull requests", lambda: list(commit.get_pulls())):
            if not pr.merged_at:
                continue
            commits = self._call("list the pull request's commits", lambda: list(pr.get_commits()))
            last = commits[-1] if commits else None
            return MergedChange(
                number=pr.number, url=pr.html_url, labels=[lb.name for lb in pr.labels],
                author=pr.user.login if pr.user else None,
                head_sha=pr.head.sha if pr.head else None,
                merge_commit_sha=pr.merge_commit_sha,
                reviews=self.reviews(pr),
                head_author=_login(last.author) if last else None,
                head_committer=_login(last.committer) if last else None,
                commits=len(commits),
            )
        return None

    def reviews(self, pr) -> list[Review]:
        """A pull request's submitted reviews, oldest first (pending ones have no state)."""
        reviews = [
            Review(id=r.id, reviewer=_login(r.user), state=r.state, commit_id=r.commit_id,
                   submitted_at=r.submitted_at.isoformat() if r.submitted_at else None)
            for r in self._call("list reviews", lambda: list(pr.get_reviews()))
            if r.state and r.state != "PENDING"
        ]
        return sorted(reviews, key=lambda r: (r.submitted_at or "", r.id))

    def team_members(self, org: str, slug: str) -> list[str] | None:
        """The logins in an organisation's team (for a CODEOWNERS `@org/team`), or None when
        the token may not read it (Actions' GITHUB_TOKEN cannot read team membership)."""
        from github import GithubException

        try:
            team = self._gh.get_organization(org).get_team_by_slug(slug)
            return sorted(m.login for m in team.get_members())
        except GithubException:
            return None
        except OSError as exc:
            raise ForgeError(f"could not reach {self.ref.api_url} to read team {org}/{slug}: {exc}",
                             hint="check the network and GITHUB_API_URL") from None

    def upsert_issue(self, title: str, body: str, label: str = DRIFT_LABEL) -> str:
        """One open issue with `label` and `title`: updated when it exists, else opened."""
        issues = self._call("list issues", lambda: list(
            self.repo.get_issues(state="open", labels=[label])))
        for issue in issues:
            if issue.pull_request is None and issue.title == title:
                self._call("update the issue", issue.edit, body=fit(body))
                return issue.html_url
        issue = self._call("open an issue", self.repo.create_issue,
                           title=title, body=fit(body), labels=[label])
        return issue.html_url


def _login(user) -> str | None:
    return getattr(user, "login", None) if user is not None else None
