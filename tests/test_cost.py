"""Cost estimates against hand-computed figures from the shipped price table."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from agentops.cost import delta, estimate, pricing
from agentops.spec import load_spec_text

REPO = Path(__file__).resolve().parents[1]
H = 730  # hours in AWS's billing month

SPEC = """\
provider: aws
region: us-east-1
tags: {owner: a}
network:
  core: {nat_gateway: true}
instances:
  web: {count: 3, instance_type: t3.large, volume_gb: 20}
clusters:
  main: {instance_type: t3.medium, desired_size: 2, min_size: 1, max_size: 4}
deployments:
  api: {cluster: main, image: "ghcr.io/a/api:1.0"}
databases:
  orders: {engine: mysql, instance_class: db.t3.small, storage_gb: 100, multi_az: true}
storage:
  assets: {kind: bucket}
  data: {kind: volume, size_gb: 50}
alerts:
  web-cpu: {target: web, threshold: 80}
security:
  sg: {rules: [{port: 443}]}
"""


def lines(cost) -> dict:
    return {line.resource: line.monthly_usd for line in cost.lines}


def test_known_spec_costs_the_hand_computed_figure():
    cost = estimate(load_spec_text(SPEC, "t.yaml"), "dev")
    # us-east-1 on-demand: t3.large 0.0832/h, t3.medium 0.0416/h, EKS 0.10/h, gp3 0.08/GB,
    # RDS MySQL db.t3.small 0.034/h, RDS storage 0.115/GB, NAT 0.045/h, IPv4 0.005/h,
    # CloudWatch alarm 0.10/month.
    nat = 0.045 * H + 0.005 * H                           # 32.85 + 3.65 = 36.50
    web = 3 * 0.0832 * H + 3 * 20 * 0.08                  # 182.208 + 4.80 = 187.008
    eks = 0.10 * H + 2 * 0.0416 * H + 2 * 20 * 0.08       # 73 + 60.736 + 3.20 = 136.936
    rds = 2 * 0.034 * H + 2 * 100 * 0.115                 # 49.64 + 23.00 = 72.64 (multi-AZ x2)
    ebs = 50 * 0.08                                       # 4.00
    alarms = 3 * 0.10                                     # one alarm per instance: 0.30
    assert lines(cost) == {
        "network.core": round(nat, 2),
        "instances.web": round(web, 2),
        "clusters.main": round(eks, 2),
        "deployments.api": 0.0,
        "databases.orders": round(rds, 2),
        "storage.assets": None,
        "storage.data": round(ebs, 2),
        "alerts.web-cpu": round(alarms, 2),
        "security.sg": 0.0,
    }
    assert cost.total_usd == 437.39 == round(36.50 + 187.01 + 136.94 + 72.64 + 4.00 + 0.30, 2)
    assert cost.unpriced == ["storage.assets"]
    assert cost.prices_as_of == pricing().as_of and cost.region == "us-east-1"


def test_example_prod_stack_figure():
    from agentops.spec import Workspace

    cost = estimate(Workspace(REPO).load("prod"), "prod")
    by = lines(cost)
    assert by["databases.orders"] == round(2 * 0.178 * H + 2 * 200 * 0.115, 2)  # 259.88 + 46 = 305.88
    assert by["clusters.main"] == round(0.10 * H + 4 * 0.096 * H + 4 * 20 * 0.08, 2)  # 359.72
    assert by["databases.orders.backup"] is None  # AWS Backup is usage-based
    assert set(cost.unpriced) == {"databases.orders.backup", "storage.assets"}


def test_unpriced_is_listed_never_zero():
    spec = load_spec_text(SPEC.replace("t3.large", "x9.huge"), "t.yaml")
    cost = estimate(spec, "dev")
    web = next(line for line in cost.lines if line.resource == "instances.web")
    assert web.monthly_usd is None and "x9.huge" in web.detail
    assert "instances.web" in cost.unpriced
    assert cost.total_usd == round(437.39 - 187.01, 2)

    elsewhere = estimate(load_spec_text(SPEC.replace("us-east-1", "ap-south-2"), "t.yaml"), "dev")
    assert all(line.monthly_usd is None for line in elsewhere.lines)
    assert elsewhere.total_usd == 0.0 and len(elsewhere.unpriced) == len(elsewhere.lines)
    assert "no prices for region ap-south-2" in elsewhere.lines[0].detail


def test_region_with_partial_prices_leaves_the_gaps_unpriced():
    cost = estimate(load_spec_text(SPEC.replace("us-east-1", "eu-west-1"), "t.yaml"), "dev")
    by = lines(cost)
    assert by["instances.web"] == round(3 * 0.0912 * H + 3 * 20 * 0.088, 2)  # eu-west-1
    assert by["databases.orders"] is None  # the table has no RDS prices for eu-west-1


def test_delta_of_a_scale_change():
    base = estimate(load_spec_text(SPEC, "t.yaml"), "dev")
    head = estimate(load_spec_text(SPEC.replace("count: 3", "count: 5"), "t.yaml"), "dev")
    change = delta(base, head, "dev")
    # Two more t3.large with 20 GB each, and two more alarms on them.
    more = 2 * 0.0832 * H + 2 * 20 * 0.08 + 2 * 0.10       # 121.472 + 3.20 + 0.20
    assert change.delta_usd == round(round(5 * 0.0832 * H + 5 * 20 * 0.08, 2)
                                     - round(3 * 0.0832 * H + 3 * 20 * 0.08, 2) + 0.2, 2)
    assert abs(change.delta_usd - more) < 0.01
    assert change.unpriced == ["storage.assets"]
    created = delta(None, head, "dev")
    assert created.before_usd == 0.0 and created.after_usd == head.total_usd
    removed = delta(base, None, "dev")
    assert removed.after_usd == 0.0 and removed.delta_usd == -base.total_usd


def test_price_table_is_complete_for_what_the_examples_use():
    table = pricing()
    assert table.as_of and table.hours_per_month == 730
    us = table.regions["us-east-1"]
    for itype in ("t3.micro", "t3.medium", "t3.large", "m5.large"):
        assert us.ec2_hourly[itype] > 0
    for engine in ("postgres", "mysql"):
        assert us.rds_hourly[engine]["db.t3.micro"] > 0
    assert us.eks_cluster_hourly == 0.10


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_cost_command(tmp_path: Path, fmt: str):
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "dev.yaml").write_text(SPEC)
    exe = shutil.which("agentops") or str(REPO / ".venv" / "bin" / "agentops")
    result = subprocess.run([exe, "cost", "--stack", "development", "--format", fmt],
                            cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    if fmt == "json":
        payload = json.loads(result.stdout)
        assert payload[0]["stack"] == "dev" and payload[0]["total_usd"] == 437.39
        assert payload[0]["unpriced"] == ["storage.assets"]
    else:
        assert "dev (us-east-1): $437.39/month" in result.stdout
        assert "unpriced" in result.stdout and "not in the total: storage.assets" in result.stdout
