"""Ingresses: a Kubernetes Ingress routing a host (and path) to one deployment's Service, with
TLS from a certificate Secret and an ingress class.

The target is a deployments entry of the stack with a port (a deployment's Service is named
after it and serves that port); the Ingress goes into the target's namespace on the target's
cluster, since an Ingress only reaches Services in its own namespace. TLS: `tls_secret` names a
kubernetes.io/tls Secret in that namespace (cert-manager's, or one made from Pulumi config);
the k8s-ingress-tls rule requires TLS in production stacks."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from agentops.kinds.base import ActionMap, EditError, EntryModel
from agentops.kinds.k8s_common import (
    KubernetesKind,
    check_dns_label,
    check_dns_subdomain,
    check_host,
    resource_policy,
    target_deployment,
)

INGRESS_TYPE = "kubernetes:networking.k8s.io/v1:Ingress"
# The AWS Load Balancer Controller takes its certificate from ACM, named in an annotation,
# instead of a Secret: the TLS rule accepts either.
ALB_CERTIFICATE = "alb.ingress.kubernetes.io/certificate-arn"
# The ingress controllers whose IngressClass people name by the controller's word ("the nginx
# class"): a word before "class" is read as the class only when it is one of them.
INGRESS_CONTROLLERS = ("nginx", "alb", "traefik", "haproxy", "kong", "istio", "contour", "gce", "cilium")


class Ingress(EntryModel):
    """A Kubernetes Ingress: host and path to a deployment's Service."""

    cluster: str = Field(description="the clusters entry it is made on (the target's)")
    host: str = Field(description="the host name it answers (api.example.com, *.example.com)")
    path: str = "/"
    path_type: Literal["Prefix", "Exact", "ImplementationSpecific"] = "Prefix"
    target: str = Field(description="the deployments entry (with a port) requests go to")
    namespace: str | None = Field(None, description="the target's namespace when unset")
    tls_secret: str | None = Field(None, description="a kubernetes.io/tls Secret in the namespace")
    ingress_class: str | None = Field(None, description="e.g. alb or nginx; the cluster's "
                                                        "default IngressClass when unset")

    _host = field_validator("host")(check_host)
    _namespace = field_validator("namespace")(lambda v: v if v is None else check_dns_label(v))
    _names = field_validator("tls_secret", "ingress_class")(
        lambda v: v if v is None else check_dns_subdomain(v))

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value.startswith("/") or any(c.isspace() for c in value):
            raise ValueError(f"{value!r} is not a URL path (it starts with '/', like /api)")
        return value


_FIELDS = {"host": "host", "path": "path", "target": "target", "tls_secret": "tls_secret",
           "ingress_class": "ingress_class"}


class IngressesKind(KubernetesKind):
    # Chosen only when a command names it (its kind= value): a create that names no kind is
    # one of the long-standing kinds of its resource type.
    needs_kind_word = True
    name = "ingresses"
    section = "ingresses"
    model = Ingress
    noun = "ingress"
    value_intros = {"tls_secret": ("tls secret", "tls", "cert secret", "certificate secret", "cert to secret",
                                   "certificate to secret", "tls to secret"),
                    "ingress_class": ("ingress class", "class")}
    words = ("ingress", "ingresses", "kubernetes ingress", "k8s ingress", "ingress rule",
             "ingress route")
    kind_values = ("ingress",)
    default_name = "ingress"
    target_suffix = "ingress"
    description = "a Kubernetes Ingress: host and path to a deployment's Service, with TLS"
    spec_order = 22
    render_order = 7
    references = {"cluster": "clusters", "target": "deployments"}
    actions = {
        "create": ActionMap(_FIELDS),
        "update": ActionMap(_FIELDS),
        "delete": ActionMap(),
    }
    rules = ("k8s-ingress-tls",)
    replace_on_change = {INGRESS_TYPE: ("metadata.name", "metadata.namespace")}
    provider_modules = ("pulumi_kubernetes.networking.v1.Ingress",
                        "pulumi_kubernetes.meta.v1._inputs")

    def value_from_words(self, key: str, text: str, entry):
        """The host (and the path) a command writes as one address ("expose waitlist-svc at
        tickets.thornwick.com/waitlist"): the one host name it says that is no image's registry
        or an e-mail's domain, and the path written right after it; None where it says none or
        several."""
        if key == "ingress_class":
            # "use the nginx class", "move it to the alb ingress class": the class said before
            # its word (after it, value_intros reads it)
            said = {m.group(1) for m in re.finditer(
                rf"\b({'|'.join(INGRESS_CONTROLLERS)})(?:\s+ingress)?\s+class\b", text.lower())}
            return said.pop() if len(said) == 1 else None
        if key not in ("host", "path"):
            return super().value_from_words(key, text, entry)
        said = {(m.group(1), (m.group(2) or "").rstrip("/.,;") or None) for m in re.finditer(
            r"(?<![\w.@/:-])(?:https?://)?((?:[a-z0-9-]+\.)+[a-z]{2,})(/[\w./-]*)?(?![\w@:-]|\.\w)", text.lower())
            if not m.group(1).endswith("amazonaws.com")}
        if len({host for host, _ in said}) != 1:
            return None
        host, path = said.pop() if len(said) == 1 else (next(iter(said))[0], None)
        return host if key == "host" else path

    def check(self, spec, name: str, entry: Ingress) -> None:
        super().check(spec, name, entry)
        dep = target_deployment(spec, self.section, name, entry)
        if dep is not None and not dep.port:
            raise ValueError(f"ingresses.{name}: deployment {entry.target!r} has no port, so no "
                             f"Service to route to; give it a port")

    def render(self, ctx, name: str, entry: Ingress) -> None:
        from pulumi_kubernetes.networking.v1 import Ingress as K8sIngress

        dep = ctx.spec.deployments[entry.target]
        namespace = entry.namespace or dep.namespace
        backend = {"service": {"name": entry.target, "port": {"number": dep.port}}}
        spec = {"rules": [{"host": entry.host, "http": {"paths": [
            {"path": entry.path, "path_type": entry.path_type, "backend": backend}]}}]}
        if entry.ingress_class:
            spec["ingress_class_name"] = entry.ingress_class
        if entry.tls_secret:
            spec["tls"] = [{"hosts": [entry.host], "secret_name": entry.tls_secret}]
        ingress = K8sIngress(name, metadata=self.metadata(name, namespace), spec=spec,
                             opts=self.options(ctx, name, entry, namespace))
        ctx.publish(self.section, name, ingress)

    def create_entry(self, name: str, params: dict, doc, kind_word):
        # The target's cluster, when the target is a deployment of the stack.
        deployments = doc.get("deployments") or {}
        target = params.get("target")
        if target is not None and target not in deployments:
            raise EditError(f"create ingresses.{name}: no deployment named {target!r} "
                            f"(deployments: {', '.join(deployments) or 'none'})",
                            hint="route to one of the stack's deployments")
        if target is not None and "cluster" not in params:
            params["cluster"] = deployments[target]["cluster"]
        for needed in ("host", "target"):
            if needed not in params:
                raise EditError(f"create ingresses.{name}: needs {needed}=",
                                hint="e.g. host=api.example.com target=api")
        return super().create_entry(name, params, doc, kind_word)

    # -- rules

    def policies(self) -> list:
        return [resource_policy(
            "k8s-ingress-tls", "Ingresses in production stacks serve TLS: a tls section with "
            "a certificate Secret covering each host (or an ACM certificate annotation for the "
            "AWS Load Balancer Controller).", "mandatory", "high", {INGRESS_TYPE}, _ingress_tls)]


def _ingress_tls(args, report_violation) -> None:
    from agentops.policy_rules import is_production

    if not is_production(args.urn, args.get_config()):
        return
    annotations = (args.props.get("metadata") or {}).get("annotations") or {}
    if annotations.get(ALB_CERTIFICATE):
        return
    spec = args.props.get("spec") or {}
    tls = [t for t in spec.get("tls") or [] if t.get("secretName")]
    covered = {h for t in tls for h in (t.get("hosts") or [])}
    hosts = [r.get("host") for r in spec.get("rules") or [] if r.get("host")]
    uncovered = [h for h in hosts if h not in covered]
    if not tls:
        report_violation(f"ingress '{args.name}' in a production stack serves plain HTTP; set "
                         f"tls_secret to a kubernetes.io/tls Secret for its host")
    elif uncovered:
        report_violation(f"ingress '{args.name}' in a production stack has no TLS for "
                         f"{', '.join(uncovered)}; list it in the tls section's hosts")
