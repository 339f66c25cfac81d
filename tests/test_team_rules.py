"""The team's own rules: a rule added to policies/team_rules.py of a scaffolded repository is
enforced by the offline plan, `check` and `scan`, is configured from .agentops.yaml like
agentops' rules, and reaches CI's `--policy-pack` and `--policy-pack-config` (one pack, found by
one function)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import git
import pytest

from agentops import automation, policy, scaffold
from agentops.config import RepoConfig
from agentops.spec import Workspace

# A mandatory rule the starter stacks break: every deployment of theirs runs nginx.
TEAM_RULE = '''

def _no_nginx(args, report_violation):
    if args.resource_type != "kubernetes:apps/v1:Deployment":
        return
    banned = args.get_config().get("bannedImages") or []
    for container in args.props["spec"]["template"]["spec"]["containers"]:
        if any(container["image"].startswith(b) for b in banned):
            report_violation(f"deployment {args.name!r} runs {container['image']}: not here")


_example_policies = policies


def policies() -> list:
    return _example_policies() + [ResourceValidationPolicy(
        name="team-no-nginx", description="No nginx images.", validate=_no_nginx,
        enforcement_level=EnforcementLevel.MANDATORY, severity=Severity.HIGH,
        config_schema=_schema(bannedImages={"type": "array", "items": {"type": "string"},
                                            "default": ["nginx"]}))]
'''


def _agentops(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "agentops", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, stdin=subprocess.DEVNULL)


@pytest.fixture()
def repo(tmp_path) -> Path:
    root = tmp_path / "infra"
    scaffold.init(root)
    rules = root / "policies" / "team_rules.py"
    rules.write_text(rules.read_text() + TEAM_RULE)
    repository = git.Repo(root)
    repository.git.add("policies/team_rules.py")
    repository.git.commit("-q", "-m", "team rule: no nginx")
    # A change to plan: dev scaled.
    spec = root / "stacks" / "dev.yaml"
    spec.write_text(spec.read_text().replace("replicas: 1\n", "replicas: 2\n", 1))
    return root


def test_team_rule_is_enforced_by_check_scan_and_the_offline_plan(repo):
    check = _agentops(repo, "check", "--stack", "dev")
    assert check.returncode == 1, check.stdout + check.stderr
    assert "[mandatory] team-no-nginx (dev/deployments.api)" in check.stdout
    assert "Traceback" not in check.stderr

    scan = _agentops(repo, "scan")
    assert scan.returncode == 1
    assert scan.stdout.count("team-no-nginx") == 3  # dev, staging, prod
    assert "HIGH (3)" in scan.stdout

    plan = _agentops(repo, "plan", "--format", "json")
    assert plan.returncode == 0, plan.stderr
    (dev,) = [s for s in json.loads(plan.stdout)["stacks"] if s["stack"] == "dev"]
    found = [v for v in dev["verdicts"] if v["policy"] == "team-no-nginx"]
    assert found and found[0]["enforcement"] == "mandatory" and found[0]["severity"] == "high"
    text = _agentops(repo, "plan").stdout
    assert "policy mandatory team-no-nginx (deployments.api)" in text


def test_team_rule_is_configured_like_agentops_rules(repo):
    (repo / ".agentops.yaml").write_text(
        "policy:\n  team-no-nginx:\n    bannedImages: [httpd]\n")
    check = _agentops(repo, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "team-no-nginx" not in check.stdout
    # What CI passes to `pulumi preview --policy-pack-config`: the same settings.
    config = json.loads(_agentops(repo, "policy-config").stdout)
    assert config["team-no-nginx"] == {"enforcementLevel": "mandatory", "bannedImages": ["httpd"],
                                       "productionStacks": ["prod"]}
    assert config["team-rds-engines"]["allowedEngines"] == ["postgres", "mysql"]
    # ...and the real preview runs the same pack directory.
    with automation._pack_options(Workspace(repo), print) as options:
        assert options["policy_packs"] == [str(repo / "policies")]
        written = json.loads(Path(options["policy_pack_configs"][0]).read_text())
    assert written == config


def test_each_repository_runs_its_own_team_rules(tmp_path):
    # Two repositories in one process (a server, the test suite): each pack imports its own
    # team_rules, and an edit to team_rules.py alone is picked up.
    roots = []
    for name in ("a", "b"):
        root = tmp_path / name
        scaffold.init(root)
        rules = root / "policies" / "team_rules.py"
        rules.write_text(rules.read_text().replace('name="team-rds-engines"', f'name="team-{name}"'))
        roots.append(root)
    names = [{p.name for p in policy.load_pack(root).policies} for root in roots]
    assert "team-a" in names[0] and "team-b" not in names[0]
    assert "team-b" in names[1] and "team-a" not in names[1]
    assert "team_rules" not in sys.modules  # nothing of a pack outlives its load
    rules = roots[0] / "policies" / "team_rules.py"
    rules.write_text(rules.read_text().replace('name="team-a"', 'name="team-a2"'))
    assert "team-a2" in {p.name for p in policy.load_pack(roots[0]).policies}
    assert policy.find_pack(roots[0]) == roots[0] / "policies"


def test_a_broken_team_module_is_a_clear_error(repo):
    (repo / "policies" / "team_rules.py").write_text("def policies(:\n")
    check = _agentops(repo, "check")
    assert check.returncode == 1
    assert "the policy pack failed to load" in check.stderr and "Traceback" not in check.stderr
    assert "team_rules.py" in check.stderr  # where: the team's module, not agentops


def test_a_team_rule_gets_only_the_settings_it_declares(tmp_path):
    # CI's --policy-pack-config must hold only what a policy's schema declares; a team rule
    # without productionStacks in its schema is not handed it.
    root = tmp_path / "infra"
    scaffold.init(root)
    rules = root / "policies" / "team_rules.py"
    rules.write_text(rules.read_text() + '''

_example = policies


def policies() -> list:
    return _example() + [ResourceValidationPolicy(
        name="team-plain", description="No settings.", validate=lambda args, report: None)]
''')
    config = policy.pack_config(RepoConfig(production_stacks=["live"]), root)
    assert config["team-plain"] == {"enforcementLevel": "advisory"}
    assert config["team-rds-engines"]["productionStacks"] == ["live"]
    assert config["k8s-min-replicas"]["productionStacks"] == ["live"]
