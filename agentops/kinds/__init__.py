"""Resource kinds: one module per kind, behind a small base class and a dict registry.

    from agentops import kinds
    registry = kinds.for_repository(root)      # installed kinds + the repository's own
    registry["storage"].render(ctx, name, entry)

See agentops/kinds/base.py for how to write a kind and how it is registered.
"""

from agentops.kinds.base import (
    ActionMap,
    Alarm,
    EditError,
    EntryModel,
    Kind,
    KindError,
    Registry,
    RenderContext,
)
from agentops.kinds.loading import (
    BUILTIN_KINDS,
    ENTRY_POINT_GROUP,
    active,
    for_repository,
    installed,
    reset_active,
)
from agentops.kinds.vocabulary import kinds_named, refuse_unknown, unknown_kind_words

__all__ = [
    "ActionMap", "Alarm", "EditError", "EntryModel", "Kind", "KindError", "Registry",
    "RenderContext", "BUILTIN_KINDS", "ENTRY_POINT_GROUP", "active", "for_repository",
    "installed", "reset_active", "kinds_named", "refuse_unknown", "unknown_kind_words",
]
