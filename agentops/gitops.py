"""Git for proposals: a change built off to the side, published as one branch and one commit.

A proposal is made in a temporary worktree detached at the base revision, so the user's
checkout, index and current branch are never touched and a dirty tree is no obstacle. The
branch is created last, with a create-only ref update, so two proposals at once can never take
the same name and a failure before that point leaves no branch behind (the unreferenced commit
is garbage git collects on its own). Every failure path removes the worktree.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import git

from agentops.errors import GitError

BRANCH_PREFIX = "agentops/"
TEMP_PREFIX = "agentops-proposal-"  # + <pid>-<random>: see prune_stale()
SLUG_WORDS = 6
SLUG_CHARS = 40
IDENTITY = ("agentops", "agentops@localhost")


def open_repo(root: Path) -> git.Repo:
    try:
        return git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise GitError(
            f"{root} is not inside a git repository",
            hint="proposals are git branches: run `git init` (or `agentops init DIR`) first",
        ) from None


def resolve(repo: git.Repo, rev: str) -> str:
    """A revision -> full commit sha, or a GitError naming it."""
    try:
        return repo.git.rev_parse("--verify", "--quiet", f"{rev}^{{commit}}")
    except git.GitCommandError:
        raise GitError(
            f"unknown revision {rev!r}",
            hint="give a branch, tag or commit that exists (`git log --oneline`)",
        ) from None


def default_base(repo: git.Repo, base_branch: str, configured: bool = True) -> str:
    """The branch proposals start from (see choose_base)."""
    return choose_base(repo, base_branch, configured)[0]


def choose_base(repo: git.Repo, base_branch: str, configured: bool) -> tuple[str, str]:
    """(branch, why) proposals start from: the configured base_branch (which must exist), else
    the remote's default branch (origin/HEAD), else a local main or master, else the current
    branch. Always a branch, never a bare HEAD, so the review steps printed for it work."""
    if not _has(repo, "HEAD"):
        raise GitError(
            "the repository has no commits yet",
            hint="commit the stacks first (`git add stacks && git commit -m 'stacks'`)",
        )
    if configured:
        found = _branch(repo, base_branch)
        if found is None:
            raise GitError(
                f"the base branch {base_branch!r} set in .agentops.yaml does not exist",
                hint=f"pass --base BRANCH, or set base_branch to one of: {_branches(repo)}",
            )
        return found, f"base_branch {base_branch!r} from .agentops.yaml"
    with contextlib.suppress(git.GitCommandError):
        remote_head = repo.git.symbolic_ref("--quiet", "--short", "refs/remotes/origin/HEAD")
        found = _branch(repo, remote_head.removeprefix("origin/"))
        if found:
            return found, f"the remote's default branch ({remote_head})"
    for name in (base_branch, "main", "master"):
        found = _branch(repo, name)
        if found:
            return found, "no base_branch in .agentops.yaml and no remote default branch"
    with contextlib.suppress(git.GitCommandError):
        current = repo.git.symbolic_ref("--quiet", "--short", "HEAD")
        return current, f"the current branch {current!r}: there is no main or master"
    raise GitError("HEAD is detached and there is no main or master branch to propose against",
                   hint="pass --base BRANCH, or set base_branch in .agentops.yaml")


def _has(repo: git.Repo, ref: str) -> bool:
    try:
        repo.git.rev_parse("--verify", "--quiet", ref)
        return True
    except git.GitCommandError:
        return False


def _branch(repo: git.Repo, name: str) -> str | None:
    """`name` when it is a local branch, `origin/name` when only the remote has it."""
    if _has(repo, f"refs/heads/{name}"):
        return name
    if _has(repo, f"refs/remotes/origin/{name}"):
        return f"origin/{name}"
    return None


def _branches(repo: git.Repo) -> str:
    names = repo.git.for_each_ref("--format=%(refname:short)", "refs/heads").split()
    return ", ".join(names) or "none"


def slugify(text: str) -> str:
    from agentops.secrets import redact

    words = re.findall(r"[a-z0-9]+", redact(text).lower())[:SLUG_WORDS]  # a branch holds no secret
    slug = "-".join(words)[:SLUG_CHARS].strip("-")
    return slug or "change"


@dataclass
class Worktree:
    """A temporary checkout of one revision, detached: edits here touch nothing else."""

    repo: git.Repo
    path: Path
    base_sha: str

    @property
    def git(self) -> git.Git:
        return git.Git(str(self.path))

    def commit(self, paths: list[str], message: str) -> str:
        """Stage `paths` and commit them on the detached HEAD; returns the commit sha."""
        g = self.git
        g.add("--", *paths)
        if not g.diff("--cached", "--name-only").strip():
            raise GitError("the proposal changes no file", hint="nothing to commit")
        env = _identity_env(self.repo)
        g.update_environment(**env)
        g.commit("--no-verify", "-q", "-F", "-", istream=_stdin(message))
        return g.rev_parse("HEAD")

    def revert(self, sha: str, mainline: int | None) -> None:
        g = self.git
        g.update_environment(**_identity_env(self.repo))
        args = ["--no-edit", "--no-commit"]
        if mainline:
            args += ["-m", str(mainline)]
        try:
            g.revert(*args, sha)
        except git.GitCommandError as exc:
            conflicted = g.diff("--name-only", "--diff-filter=U").split()
            with contextlib.suppress(git.GitCommandError):
                g.revert("--abort")
            if conflicted:
                raise GitError(
                    f"reverting {sha[:12]} conflicts with later changes in: {', '.join(conflicted)}",
                    hint="revert by hand on a branch, or propose the inverse change as a command",
                ) from None
            raise GitError(f"git revert {sha[:12]} failed: {exc.stderr.strip()}") from None


def _stdin(text: str):
    # GitPython's istream needs a real file (it hands the fd to the child).
    handle = tempfile.TemporaryFile()
    handle.write(text.encode("utf-8"))
    handle.seek(0)
    return handle


def _identity_env(repo: git.Repo) -> dict[str, str]:
    # The user's own identity when git has one; a fixed one otherwise (CI, fresh machines).
    reader = repo.config_reader()
    name = reader.get_value("user", "name", None) if reader.has_section("user") else None
    email = reader.get_value("user", "email", None) if reader.has_section("user") else None
    env = {}
    if not name:
        env.update(GIT_AUTHOR_NAME=IDENTITY[0], GIT_COMMITTER_NAME=IDENTITY[0])
    if not email:
        env.update(GIT_AUTHOR_EMAIL=IDENTITY[1], GIT_COMMITTER_EMAIL=IDENTITY[1])
    return env


@contextlib.contextmanager
def worktree(repo: git.Repo, base: str) -> Iterator[Worktree]:
    """A temporary detached worktree at `base`, removed on exit whatever happens."""
    from agentops.interrupts import deferred

    base_sha = resolve(repo, base)
    prune_stale(repo)
    tmp = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-"))
    path = tmp / "tree"
    try:
        # Held while git adds it: interrupted mid-way, the parent would stop waiting while git
        # goes on registering the worktree after our cleanup ran. A signal meanwhile is
        # raised when git is done, below, and the worktree removed.
        with deferred():
            repo.git.worktree("add", "--detach", "--quiet", str(path), base_sha)
    except git.GitCommandError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise GitError(f"could not create a worktree: {exc.stderr.strip()}") from None
    except BaseException:  # a signal while git was adding it
        with deferred():
            _remove_worktree(repo, path)
        raise
    try:
        yield Worktree(repo, path, base_sha)
    finally:
        with deferred():  # a second Ctrl-C or SIGTERM must not cut the cleanup short
            _remove_worktree(repo, path)


def _remove_worktree(repo: git.Repo, path: Path) -> None:
    with contextlib.suppress(git.GitCommandError):
        repo.git.worktree("remove", "--force", str(path))
    shutil.rmtree(path.parent, ignore_errors=True)
    with contextlib.suppress(git.GitCommandError):
        repo.git.worktree("prune")


def prune_stale(repo: git.Repo) -> list[Path]:
    """Remove what proposals killed outright (kill -9, a power cut) left behind: their
    worktrees registered in `repo` and their temp dirs. A proposal's temp dir is named
    agentops-proposal-<pid>-*: one whose process is gone is stale; a live one is never touched
    (another proposal in progress). Returns the temp dirs removed."""
    removed = []
    registered = set()
    with contextlib.suppress(git.GitCommandError):
        for line in repo.git.worktree("list", "--porcelain").splitlines():
            if line.startswith("worktree "):
                registered.add(Path(line[len("worktree "):]))
    for tree in registered:
        if tree.name == "tree" and _stale(tree.parent):
            _remove_worktree(repo, tree)
            removed.append(tree.parent)
    for tmp in Path(tempfile.gettempdir()).glob(f"{TEMP_PREFIX}*"):
        if tmp.is_dir() and not tmp.is_symlink() and _stale(tmp):
            shutil.rmtree(tmp, ignore_errors=True)
            removed.append(tmp)
    return removed


def _stale(tmp: Path) -> bool:
    match = re.fullmatch(re.escape(TEMP_PREFIX) + r"(\d+)-\w+", tmp.name)
    if match is None:
        return False
    pid = int(match.group(1))
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, another user's
    return False


def create_branch(repo: git.Repo, slug: str, sha: str) -> str:
    """Point a new branch agentops/<slug>[-N] at `sha`; never moves an existing branch.

    `git update-ref <ref> <new> ""` succeeds only if the ref does not exist yet, atomically,
    so two concurrent proposals of the same command get -2 rather than one overwriting the
    other.
    """
    for attempt in range(1, 100):
        name = f"{BRANCH_PREFIX}{slug}" + (f"-{attempt}" if attempt > 1 else "")
        try:
            repo.git.update_ref(f"refs/heads/{name}", sha, "")
            return name
        except git.GitCommandError:
            continue
    raise GitError(f"no free branch name for {BRANCH_PREFIX}{slug}",
                   hint=f"delete old proposal branches (`git branch --list '{BRANCH_PREFIX}*'`)")


def delete_branch(repo: git.Repo, name: str) -> None:
    with contextlib.suppress(git.GitCommandError):
        repo.git.update_ref("-d", f"refs/heads/{name}")


def push(repo: git.Repo, branch: str, remote: str = "origin") -> None:
    try:
        repo.git.push("--quiet", "--porcelain", remote, f"refs/heads/{branch}:refs/heads/{branch}")
    except git.GitCommandError as exc:
        raise GitError(
            f"git push of {branch} to {remote} failed: {(exc.stderr or '').strip()}",
            hint=f"check access to the remote (`git push {remote} {branch}` by hand shows why)",
        ) from None


def delete_remote_branch(repo: git.Repo, branch: str, remote: str = "origin") -> None:
    with contextlib.suppress(git.GitCommandError):
        repo.git.push("--quiet", remote, "--delete", branch)


def remote_url(repo: git.Repo, remote: str = "origin") -> str | None:
    try:
        return repo.git.remote("get-url", remote)
    except git.GitCommandError:
        return None


def is_merge(repo: git.Repo, sha: str) -> bool:
    return len(repo.commit(sha).parents) > 1


def changed_stacks(repo: git.Repo, base: str, head: str, stacks_dir: str = "stacks") -> list[str]:
    """Stacks whose spec changed between two revisions (added, modified or deleted)."""
    base_sha, head_sha = resolve(repo, base), resolve(repo, head)
    names = repo.git.diff("--name-only", base_sha, head_sha, "--", f"{stacks_dir}/").split()
    out = []
    for path in names:
        p = Path(path)
        if p.parent.name == stacks_dir and p.suffix == ".yaml" and not p.name.startswith("Pulumi."):
            out.append(p.stem)
    return out


def file_at(repo: git.Repo, rev: str, path: str) -> str | None:
    try:
        return repo.git.show(f"{rev}:{path}", strip_newline_in_stdout=False)
    except git.GitCommandError:
        return None


def branch_of(repo: git.Repo, rev: str) -> str | None:
    """The branch name a base revision stands for ("origin/main" -> main, "HEAD" -> the
    current branch), or None for a commit that is no branch's name."""
    if rev == "HEAD":
        try:
            return repo.git.symbolic_ref("--quiet", "--short", "HEAD")
        except git.GitCommandError:
            return None
    name = rev.removeprefix("origin/")
    return name if _branch(repo, name) else None
