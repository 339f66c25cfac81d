"""CODEOWNERS patterns, read the way GitHub reads them (last match wins)."""

from __future__ import annotations

import pytest

from agentops.codeowners import owners_of, parse

FILE = """\
# comments and blank lines are ignored

*                   @acme/everyone
*.md                @docs-team
/stacks/            @acme/platform
/stacks/prod.yaml   @carol @acme/dba   # production
stacks/dev.yaml
docs/**/guide.txt   @writer
apps/               @apps
secret?.yaml        @sec
"""


@pytest.mark.parametrize("path,owners", [
    ("README.md", ("@docs-team",)),
    ("policies/__main__.py", ("@acme/everyone",)),
    ("stacks/staging.yaml", ("@acme/platform",)),
    ("stacks/prod.yaml", ("@carol", "@acme/dba")),
    ("stacks/dev.yaml", ()),  # a matching line without owners: no owners
    ("docs/a/b/guide.txt", ("@writer",)),
    ("docs/guide.txt", ("@writer",)),
    ("src/apps/x.py", ("@apps",)),  # unanchored directory: at any depth
    ("secret1.yaml", ("@sec",)),
    ("secret12.yaml", ("@acme/everyone",)),
    ("infra/stacks/prod.yaml", ("@acme/everyone",)),  # anchored patterns match from the root only
])
def test_owners(path, owners):
    assert owners_of(parse(FILE), path)[1] == owners


def test_no_file_no_owners():
    assert owners_of(parse(""), "stacks/prod.yaml") == (None, ())
