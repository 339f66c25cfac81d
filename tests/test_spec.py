"""Stack specs: the repository's own specs validate; every kind of bad input is named precisely."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from agentops import kinds
from agentops.errors import SpecError, UnknownStackError
from agentops.spec import (
    SECTIONS,
    StackSpec,
    Workspace,
    dump_document,
    load_spec_text,
    normalize_stack_name,
    parse_document,
)

REPO = Path(__file__).resolve().parents[1]


def spec(text: str) -> StackSpec:
    return load_spec_text(textwrap.dedent(text), "stacks/test.yaml")


def error_of(text: str) -> str:
    with pytest.raises(SpecError) as info:
        spec(text)
    return str(info.value)


def test_repository_specs_validate_and_cover_every_section():
    specs = Workspace(REPO).load_all()
    assert set(specs) == {"dev", "staging", "prod"}
    used = {section for s in specs.values() for section, _, _ in s.resources()}
    # The long-standing kinds (those a create needs no kind word for): these stacks are the
    # first evaluation sets' repository; evals/wild-repo holds every kind.
    assert used == {s for s in SECTIONS if not kinds.active()[s].needs_kind_word}


def test_yaml_syntax_error_names_file_line_and_column():
    message = error_of(
        """\
        region: us-east-1
        clusters:
          main: {instance_type: t3.large
        """
    )
    assert message.startswith("stacks/test.yaml:4:1: YAML syntax error")


def test_schema_error_names_line_field_and_allowed_values():
    message = error_of(
        """\
        region: us-east-1
        databases:
          orders:
            engine: oracle
        """
    )
    assert "stacks/test.yaml:4:5: databases.orders.engine" in message
    assert "'postgres' or 'mysql'" in message


def test_unknown_field_is_an_error_not_ignored():
    message = error_of(
        """\
        region: us-east-1
        clusters:
          main:
            node_count: 3
        """
    )
    assert "stacks/test.yaml:4:5: clusters.main.node_count: unknown field" in message


def test_unknown_top_level_key_lists_allowed_sections():
    message = error_of("region: us-east-1\nservers: {}\n")
    assert "servers: unknown field; allowed here:" in message
    assert "deployments" in message


def test_node_group_sizes_must_be_ordered():
    message = error_of(
        """\
        clusters:
          main: {min_size: 5, desired_size: 2, max_size: 10}
        """
    )
    assert "min_size <= desired_size <= max_size" in message
    assert "(got 5 <= 2 <= 10)" in message


def test_references_must_exist_and_list_what_does():
    message = error_of(
        """\
        clusters:
          main: {}
        deployments:
          api: {cluster: blue, image: "nginx:1.27"}
        """
    )
    assert "deployments.api.cluster: no cluster named 'blue' (defined: main)" in message


def test_names_are_unique_across_sections():
    message = error_of(
        """\
        clusters:
          api: {}
        deployments:
          api: {cluster: api, image: "nginx:1.27"}
        """
    )
    assert "the name 'api' is used by clusters and deployments" in message


def test_volume_needs_size_and_bucket_has_none():
    assert "a volume needs size_gb" in error_of("storage:\n  data: {kind: volume}\n")
    assert "size_gb applies to volumes only" in error_of("storage:\n  b: {size_gb: 5}\n")


def test_bad_cidr_is_named():
    message = error_of(
        """\
        security:
          web:
            rules:
              - {port: 443, cidr: 10.0.0.300/8}
        """
    )
    assert "security.web.rules.0.cidr" in message and "not a CIDR block" in message


def test_empty_file_is_an_empty_stack():
    assert spec("").names() == []


def test_stack_aliases():
    assert normalize_stack_name("Production") == "prod"
    assert normalize_stack_name("stage") == "staging"
    assert normalize_stack_name("qa") == "qa"


def test_unknown_stack_lists_the_stacks():
    with pytest.raises(UnknownStackError) as info:
        Workspace(REPO).spec_path("qa")
    assert "unknown stack 'qa'" in str(info.value)
    assert "dev, prod, staging" in str(info.value)


def test_production_resolves_to_prod():
    assert Workspace(REPO).resolve_stack("production") == "prod"


def test_workspace_not_found(tmp_path):
    with pytest.raises(SpecError, match="no stacks/ directory"):
        Workspace.find(tmp_path)


def test_round_trip_keeps_comments_and_order():
    text = (REPO / "stacks" / "prod.yaml").read_text()
    assert dump_document(parse_document(text, "prod.yaml")) == text
