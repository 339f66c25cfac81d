"""One error type for everything a user can get wrong.

Every stage raises AgentOpsError with what is wrong and what to do; the CLI prints both and
exits non-zero. Anything else reaching the CLI is a bug and keeps its traceback.
"""

from __future__ import annotations


class AgentOpsError(Exception):
    """A problem the user can fix. `hint` says how."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


class SpecError(AgentOpsError):
    """A stack spec that does not parse or does not validate."""


class UnknownStackError(AgentOpsError):
    """A stack name with no stacks/<name>.yaml."""


class GitError(AgentOpsError):
    """A git operation that cannot proceed (unknown revision, not a repository, conflict)."""


class ModelError(AgentOpsError):
    """The local model is missing, corrupt, or produced something unusable."""


class InterpretError(AgentOpsError):
    """A command that could not be turned into a valid ActionPlan."""


class PolicyViolation(AgentOpsError):
    """A mandatory policy failed: the change must not be proposed."""


class PulumiUnavailable(AgentOpsError):
    """The real Pulumi path was required but the `pulumi` CLI is not on PATH."""
