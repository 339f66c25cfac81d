"""The one Pulumi program: a stack spec rendered into pulumi-aws and pulumi-kubernetes resources.

It runs for real under `pulumi preview`/`up` (stacks/__main__.py calls `main()`), and offline
under Pulumi's mocks (agentops.offline calls `render()`). Each spec entry is rendered by its
kind (agentops/kinds): a component resource of type `agentops:spec:<section>` named after the
entry, and everything the kind renders parented to it. The URN itself then says which spec
entry produced a cloud resource, for policies, diffs and reviewers, without bending the cloud
names.

Kinds import pulumi_aws and pulumi_kubernetes module by module inside their renderers:
pulumi_aws loads its submodules lazily, so a stack without a database never pays for RDS.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentops.kinds.base import COMPONENT_PREFIX, SPEC_TAG, RenderContext  # noqa: F401 (public)
from agentops.kinds.deployments import RESTART_ANNOTATION  # noqa: F401 (public)

if TYPE_CHECKING:
    import pulumi

    from agentops.spec import SpecBase


def spec_ref_of_type(type_token: str, name: str) -> str | None:
    """`agentops:spec:deployments` + `api` -> `deployments.api` (the component's spec entry)."""
    if type_token.startswith(COMPONENT_PREFIX):
        return f"{type_token[len(COMPONENT_PREFIX):]}.{name}"
    return None


def provider_modules(spec: "SpecBase") -> list[str]:
    """The provider resource modules rendering `spec` uses, in a stable order (the providers
    themselves come with the pulumi_aws and pulumi_kubernetes packages). Each kind says which
    it needs (Kind.modules); the offline plan loads exactly these ahead of time in one process
    and forks its workers from it (agentops.offline); tests/test_offline_fast.py checks that
    rendering then imports nothing more. A module missing costs time, never a different result."""
    names: list[str] = []
    for kind in spec.kinds().rendering():
        entries = spec.section(kind.section)
        if entries:
            names += kind.modules(entries)
    return list(dict.fromkeys(names))


def render(spec: "SpecBase", stack: str, config: "pulumi.Config | None" = None) -> None:
    """Register the spec's resources with the current Pulumi runtime (real or mocked): each
    kind's entries, kinds others refer to first (networks, security groups, clusters)."""
    registry = spec.kinds()
    ctx = RenderContext(spec, stack, config, registry)
    for kind in registry.rendering():
        for name, entry in spec.section(kind.section).items():
            kind.render(ctx, name, entry)


def main(stacks_dir: str = ".") -> None:
    """Entry for `pulumi preview`/`up`: stacks/<pulumi stack>.yaml is the desired state, read
    with the repository's kinds (the repository is the folder above stacks/)."""
    from pathlib import Path

    import pulumi

    from agentops.kinds import for_repository
    from agentops.spec import load_spec_text

    stack = pulumi.get_stack()
    path = Path(stacks_dir) / f"{stack}.yaml"
    from agentops.specio import read

    registry = for_repository(path.resolve().parent.parent)
    spec = load_spec_text(read(path, str(path)), str(path), registry)
    render(spec, stack)
