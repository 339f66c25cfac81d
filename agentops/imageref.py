"""OCI image references: `[registry[:port]/]path[:tag][@digest]`, checked by the grammar of the
distribution reference spec (github.com/distribution/reference, reference.go), so a hand edit
such as `image: "api:1.2 3"` or `image: "API@sha256:xyz"` fails at spec load with file:line, not
at deploy time in the cluster.

    reference  := name [ ":" tag ] [ "@" digest ]
    name       := [ domain "/" ] remote-name
    domain     := host [ ":" port ]            host: DNS labels, an IPv4 or [IPv6] address
    remote-name:= path-component ( "/" path-component )*
    path-component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
    tag        := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
    digest     := algorithm ":" hex            sha256: 64 hex, sha384: 96, sha512: 128
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

MAX_NAME_LENGTH = 255
_COMPONENT = r"[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*"
_LABEL = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_HOST = rf"(?:{_LABEL}(?:\.{_LABEL})*|\[[0-9a-fA-F:.]+\])"
_DOMAIN = rf"{_HOST}(?::[0-9]+)?"
_TAG = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
_DIGEST = r"[a-z0-9]+(?:[+._-][a-z0-9]+)*:[0-9a-fA-F]{32,}"
_REFERENCE = re.compile(
    rf"^(?P<name>(?:(?P<domain>{_DOMAIN})/)?{_COMPONENT}(?:/{_COMPONENT})*)"
    rf"(?::(?P<tag>{_TAG}))?(?:@(?P<digest>{_DIGEST}))?$"
)
_DIGEST_LENGTHS = {"sha256": 64, "sha384": 96, "sha512": 128}


def check_image_ref(value: str) -> str:
    """`value` when it is a valid image reference; ValueError saying what is wrong otherwise."""
    if not value or value != value.strip():
        raise ValueError("an image reference is not blank and has no surrounding spaces")
    match = _REFERENCE.match(value)
    if match is None:
        raise ValueError(f"{value!r} is not a valid image reference: {_why(value)} "
                         f"(expected [registry[:port]/]path[:tag][@sha256:<64 hex>], "
                         f"e.g. ghcr.io/acme/api:1.4.2)")
    name = match.group("name")
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"the image name is {len(name)} characters long; the limit is "
                         f"{MAX_NAME_LENGTH}")
    digest = match.group("digest")
    if digest:
        algorithm, _, hexpart = digest.partition(":")
        want = _DIGEST_LENGTHS.get(algorithm)
        if want is not None and len(hexpart) != want:
            raise ValueError(f"the {algorithm} digest in {value!r} has {len(hexpart)} hex "
                             f"digits; it needs {want}")
    return value


def _why(value: str) -> str:
    """The likeliest mistake, for the message."""
    if any(c.isspace() for c in value):
        return "it contains whitespace"
    if value.count("@") > 1:
        return "it has more than one '@'"
    path = value.split("@", 1)[0]
    first, _, rest = path.partition("/")
    remote = rest if rest and ("." in first or ":" in first or first == "localhost") else path
    remote = remote.rsplit(":", 1)[0] if ":" in remote.rsplit("/", 1)[-1] else remote
    if remote != remote.lower():
        return "the repository path must be lowercase"
    if "@" in value:
        return "the digest is not <algorithm>:<hex>"
    if "//" in value or value.endswith("/") or value.startswith("/"):
        return "it has an empty path component"
    return "a character or separator is not allowed there"


ImageRef = Annotated[str, AfterValidator(check_image_ref)]
