"""A resource kind: everything agentops knows about one section of a stack spec, in one class.

How to write a kind
===================

A kind is a subclass of `Kind` in a module of its own. It declares, in one place, what the rest
of agentops reads from the registry (nothing outside agentops/kinds names a kind):

    from pydantic import Field
    from agentops.actionplan import ResourceType
    from agentops.kinds.base import ActionMap, Alarm, EntryModel, Kind

    class Queue(EntryModel):                      # the spec entry; unknown keys are errors
        fifo: bool = False
        retention_seconds: int = Field(345600, ge=60, le=1209600)

    class QueueKind(Kind):
        name = "queues"                           # the kind's name (entry-point name too)
        section = "queues"                        # its section in stacks/<stack>.yaml
        model = Queue                             # one entry of that section
        resource_type = ResourceType.infrastructure   # the ActionPlan's coarse class
        noun = "queue"                            # one word for prompts and listings
        words = ("queue", "queues", "sqs")       # what people call it
        kind_values = ("queue",)                  # parameters.kind values that mean it
        default_name = "queue"                    # queue-1, queue-2... when a create names none
        actions = {                               # action -> parameter key -> spec field
            "create": ActionMap({"count": "retention_seconds"}),
            "update": ActionMap({"count": "retention_seconds"}),
            "delete": ActionMap(),
        }
        taggable = frozenset({"aws:sqs/queue:Queue"})
        rules = ("sqs-encrypted",)               # CrossGuard rule names it is checked by
        alarm_metrics = ("messages", "age")
        provider_modules = ("pulumi_aws.sqs.queue",)

        def render(self, ctx, name, entry):
            from pulumi_aws import sqs            # import where used: a stack pays for its kinds
            opts = ctx.component(self.section, name)   # one ComponentResource per entry
            queue = sqs.Queue(name, fifo_queue=entry.fifo, tags=ctx.tags(self.section, name),
                              opts=opts)
            ctx.publish(self.section, name, queue)     # what alarms and other kinds refer to

        def cost(self, prices, name, entry, spec):
            return [self.unpriced(name, "SQS queue", "usage-based: per million requests")]

Every declaration has a default (see the class attributes below); a kind overrides what it
needs. Worth knowing:

- `interpreted = False` marks a kind the interpreter is not to take commands for: specs,
  plans, cost and policies take it, and a command naming it is refused by name ("agentops
  cannot interpret commands for 'sqs queue' yet") instead of being guessed. Its kind_values
  and parameter keys stay out of the grammar;
- `needs_kind_word = True`: a create makes this kind only when it says so (kind=queue);
- the plan line's fields for the kind's own parameter keys are derived from the entry model
  (plan_keys); an int field may be said relative to the spec ("+3", "/2"); `spaced_keys` names
  the keys whose values hold spaces (quoted in the plan line: a cron schedule);
- `phrases` tells the training generator how people say a key's value ("keep messages for
  {n} {unit}"); `value_words` lists words that are values of the kind's fields ("an IAM role
  for glue jobs"), so that they are not refused as kinds nobody registered; `said_values`
  maps the words that say a key's value to the value ("ECS tasks" -> service=ecs-tasks), for a
  create whose plan left the key out; `value_intros` the words that introduce a free value
  ("owned by data-team", "sort key sku");
- `references` are checked for every entry ("no cluster named 'blue' (defined: main)");
- `implied_by` lets a create that names no kind pick this one from its parameters;
- `priced`/`cost_coverage` say what cost() prices (shown by `agentops kinds`);
- rules a kind brings are best built with agentops.policy_rules.resource_policy (it declares
  the productionStacks setting every rule takes); policy_rules.is_production tells a
  production stack from others. The hooks, all called with validated data:

- render(ctx, name, entry): the Pulumi resources for one entry, under ctx.component(...);
- cost(prices, name, entry, spec) -> [CostLine]: priced lines, or lines with monthly_usd None
  (`self.unpriced(...)`); the default is an unpriced line, never a silent zero;
- alarms(ctx, name, entry, metric) -> [Alarm]: the CloudWatch metrics an alert on an entry
  watches; `alarm_metrics` lists the metrics the kind answers to, `metric_units` the unit of a
  time metric's threshold (the guard converts "older than 10 minutes" to it);
- check(spec, name, entry): cross-entry validation beyond `references` (raise ValueError);
- config_secrets(entry): Pulumi config keys the entry reads as secrets;
- alarm_count(entry): how many alarms one alert on an entry makes (cost reads it);
- create_entry / update / scale / restart / backup / delete: the edits of an ActionPlan's
  actions on the round-trip YAML entry; the defaults follow `actions` and cover most kinds;
- policies() -> [pulumi_policy.Policy]: rules the kind brings that agentops' rule library
  (agentops.policy_rules) does not have, best built with agentops.policy_rules.resource_policy
  (it declares the productionStacks setting every rule takes); `rules` names every rule that
  checks the kind;
- modules(entries): the provider resource modules rendering these entries imports (the
  offline plan preloads exactly these; a module missing costs time, never a result).

Registering a kind
==================

Built-in kinds and third-party packages use the same door, the entry-point group
`agentops.kinds` (value: "module:Class"):

    [project.entry-points."agentops.kinds"]
    queues = "mypackage.queues:QueueKind"

A repository's own kinds live in a folder named in its .agentops.yaml:

    kinds:
      path: kinds          # relative to the repository root, inside it

Every `*.py` file there (not starting with "_") is loaded, and each Kind subclass it defines
with a `section` is registered. Files are read from the repository only: a folder outside it,
or a symlink that leaves it, is refused. A kind whose section or name is already registered is
an error naming both.

Stability: this module's public names (Kind, ActionMap, Alarm, EntryModel, RenderContext,
Registry and their documented attributes and hook signatures) are the interface kind modules
are written against. Add to it; do not rename or change what exists.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Iterable, Mapping

from pydantic import BaseModel, ConfigDict

from agentops.actionplan import ActionType, ResourceType
from agentops.errors import AgentOpsError

if TYPE_CHECKING:
    import pulumi
    from ruamel.yaml.comments import CommentedMap

    from agentops.cost import Pricer
    from agentops.findings import CostLine


class KindError(AgentOpsError):
    """A kind (built-in, installed or the repository's own) that cannot be registered, or an
    action a kind does not support."""


class EditError(AgentOpsError):
    """An action that cannot be applied to the spec as it stands."""


class EntryModel(BaseModel):
    """Base of every spec entry model: unknown keys are errors (a typo in a hand-written spec
    must not be silently ignored), and assignments are validated."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


# A rotation period said as a frequency: days.
ROTATION_WORDS = {"yearly": 365, "annually": 365, "every year": 365, "once a year": 365,
                  "quarterly": 90, "every quarter": 90, "monthly": 30, "every month": 30}


@dataclass(frozen=True)
class ActionMap:
    """How one action of an ActionPlan maps onto a kind's spec fields.

    fields: canonical parameter key (agentops.actionplan.Parameters) -> spec field. A key not
    listed is refused with the allowed ones, so a misread command never silently does nothing.
    """

    fields: Mapping[str, str] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True)
class Alarm:
    """One CloudWatch alarm an alert needs: name suffix, namespace, metric, dimensions."""

    suffix: str
    namespace: str
    metric: str
    dimensions: dict


class Kind:
    """One resource kind. Subclass it; instances are stateless (the registry holds one each)."""

    # -- identity and words --------------------------------------------------------------------
    name: ClassVar[str] = ""
    section: ClassVar[str] = ""
    model: ClassVar[type[EntryModel]] = EntryModel
    resource_type: ClassVar[ResourceType] = ResourceType.infrastructure
    noun: ClassVar[str] = ""
    words: ClassVar[tuple[str, ...]] = ()
    # parameters.kind values that select this kind within its resource type.
    kind_values: ClassVar[tuple[str, ...]] = ()
    # Where its kind_values go in the grammar's `kind=` alternatives (lower first): kept so the
    # regex, and the compiled indexes cached by it, stay the same as kinds are added.
    grammar_rank: ClassVar[int] = 100
    default_name: ClassVar[str] = ""
    # The last part of a new entry's name after its target's, for a kind that acts on one
    # (`target` reference) where the stack's own entries show none: "hpa" (dispatch-svc-hpa).
    target_suffix: ClassVar[str] = ""
    description: ClassVar[str] = ""
    # Whether the interpreter takes commands for it. A kind agentops' model has not learnt yet
    # says False: its words are refused by name ("not yet interpreted; write it in the spec")
    # rather than left to a model that would map them onto a kind it knows; specs, plans,
    # cost and policies take it all the same.
    interpreted: ClassVar[bool] = True
    # Whether a create must name the kind (parameters.kind) to make it. A type with several
    # kinds (infrastructure: instances, clusters, queues, functions...) picks, for a create
    # that names none, among the kinds that do not need the word (and by implied_by).
    needs_kind_word: ClassVar[bool] = False
    # Parameter keys whose values hold spaces (a cron schedule): written quoted in the plan line.
    spaced_keys: ClassVar[tuple[str, ...]] = ()
    # Words that are values of the kind's fields, not kinds asked for, in a command naming it
    # (an IAM role's service: "a role for glue jobs").
    value_words: ClassVar[tuple[str, ...]] = ()
    # The words that say a key's value, where the value is not written as the command says it
    # (an IAM role's service: "ECS tasks" is ecs-tasks, "step functions" is states): key ->
    # {phrase: value}. A create that leaves the key out takes the one value its command says.
    said_values: ClassVar[Mapping[str, Mapping[str, str]]] = {}
    # The words that introduce a written value of one of the kind's free keys in a command,
    # beyond the key's own words ("owned by data-team" is owner=data-team, "sort key sku"
    # range_key=sku): key -> phrases. A create or change that left the key out takes the one
    # name-like value said right after them (agentops.interpret.values._introduced_values).
    value_intros: ClassVar[Mapping[str, tuple[str, ...]]] = {}
    # The family prefix a key's values carry and people leave out ("r6g.large" for a cache's
    # cache.r6g.large): key -> prefix. A value said without it takes it
    # (agentops.interpret.values._said_literals).
    value_prefixes: ClassVar[Mapping[str, str]] = {}
    # The nouns a count of the kind is said with ("over 3 zones" for a network's count, "keep
    # 30 images" for a registry's): a create or change that left count out takes the one
    # number said with one of them.
    count_nouns: ClassVar[tuple[str, ...]] = ()
    # How people say a value of one of the kind's keys, for the training generator
    # (training/synth_kinds.py): key -> templates with {n} (the number in the key's unit, or in
    # {unit} when one is named) and {unit}. Keys not listed are said from their names.
    phrases: ClassVar[Mapping[str, tuple[str, ...]]] = {}

    # -- order ---------------------------------------------------------------------------------
    # Position of the section in a spec (and in listings, cost lines); lower first.
    spec_order: ClassVar[int] = 100
    # Render order: kinds other kinds refer to (networks, security groups, clusters) first,
    # alerts (which watch everything) last.
    render_order: ClassVar[int] = 100

    # -- validation ----------------------------------------------------------------------------
    # Entry field -> the section its value names ("*": any resource of the stack). A list field
    # names several. Checked for every entry: "no network named 'x' (defined: a, b)".
    references: ClassVar[Mapping[str, str]] = {}

    # -- actions -------------------------------------------------------------------------------
    actions: ClassVar[Mapping[str, ActionMap]] = {"create": ActionMap(), "delete": ActionMap()}

    # -- policies, tags, alarms, diff, offline loading -----------------------------------------
    taggable: ClassVar[frozenset[str]] = frozenset()
    rules: ClassVar[tuple[str, ...]] = ()
    alarm_metrics: ClassVar[tuple[str, ...]] = ()
    # Metric -> the unit its alarm threshold is in, where it is a time ("s", "ms"): a threshold
    # said as "older than 10 minutes" is 600 on a queue's message age, in seconds.
    metric_units: ClassVar[Mapping[str, str]] = {}
    # Resource type -> input paths whose change replaces the resource (an estimate; the diff's).
    replace_on_change: ClassVar[Mapping[str, tuple[str, ...]]] = {}
    provider_modules: ClassVar[tuple[str, ...]] = ()
    # Whether cost() prices the kind (False: its lines are listed as unpriced), and, where it
    # is partly priced, what is and what is not (for `agentops kinds` and the README).
    priced: ClassVar[bool] = False
    cost_coverage: ClassVar[str] = ""
    # Parameter keys that, in a create naming no kind, say it is this kind (clusters: min_size,
    # max_size); tried in render order among the kinds of the action's resource type.
    implied_by: ClassVar[tuple[str, ...]] = ()

    # The file the kind was loaded from, set by the registry (for the graph cache key).
    source_file: ClassVar[str | None] = None

    # ------------------------------------------------------------------------------------------

    def noun_of(self, entry: EntryModel) -> str:
        """The word for one entry in listings and prompts (a storage entry: bucket or volume)."""
        return self.noun

    def supports(self, action: ActionType | str) -> bool:
        return (action.value if isinstance(action, ActionType) else action) in self.actions

    def parameters(self) -> list[str]:
        """Every canonical parameter key some action of the kind accepts."""
        return sorted({k for a in self.actions for k in self.fields_for(a)})

    def plan_keys(self) -> dict[str, Any]:
        """The plan-line fields (agentops.planline.PlanKey) of the kind's own parameter keys,
        those beyond the canonical ones (agentops.actionplan.Parameters) and the values a kind
        spells its own way for a canonical enum (HTTPS for protocol): each value's shape
        derived from the entry model field it maps to (an int, a bool, one of a Literal's
        values, a list, or one word). Override to say more."""
        from agentops.actionplan import Parameters

        from agentops.planline import is_enum

        fields = [self.fields_for(a) for a in self.actions]
        out: dict[str, Any] = {}
        for key in self.parameters():
            field_name = next(f[key] for f in fields if key in f)
            info = self.model.model_fields.get(field_name.split("|")[0])
            shape = plan_key_for(info.annotation if info is not None else str)
            if key in Parameters.model_fields and not is_enum(shape):
                # a canonical key keeps its canonical shape; only its spelling of a closed
                # vocabulary (a load balancer's protocol HTTPS) is the kind's to add
                continue
            out[key] = shape
            if key in self.spaced_keys:
                out[key] = dataclasses.replace(out[key], spaced=True)
        return out

    # -- validation ----------------------------------------------------------------------------

    def value_from_words(self, key: str, text: str, entry) -> Any:
        """The value of `key` that `text` says in words rather than writes (a cron job's
        schedule: "every weekday at 6:30"), or None. `entry`: the resource now, for a
        change said against it ("move it to 5am" keeps the days); None on a create. The
        default reads a rotation period said as a frequency ("rotation yearly": 365 days)."""
        if key == "rotation_days":
            said = {days for word, days in ROTATION_WORDS.items()
                    if re.search(rf"\b{word}\b", text.lower())}
            return said.pop() if len(said) == 1 else None
        return None

    def check(self, spec: Any, name: str, entry: EntryModel) -> None:
        """Cross-entry checks beyond `references`; raise ValueError with what is wrong."""

    # -- rendering -----------------------------------------------------------------------------

    def render(self, ctx: "RenderContext", name: str, entry: EntryModel) -> None:
        raise NotImplementedError(f"kind {self.name} has no renderer")

    def modules(self, entries: Mapping[str, EntryModel]) -> tuple[str, ...]:
        return self.provider_modules

    def config_secrets(self, entry: EntryModel) -> tuple[str, ...]:
        """Pulumi config keys the entry reads as secrets (an offline plan fills placeholders)."""
        return ()

    def alarm_count(self, entry: EntryModel) -> int:
        """How many alarms one alert on the entry makes (one per instance of a group)."""
        return 1

    def alarms(self, ctx: "RenderContext", name: str, entry: EntryModel,
               metric: str) -> list[Alarm]:
        # A kind with no metric of its own to watch (networks, security groups).
        return [Alarm("", "AWS/Usage", "CallCount", {})]

    # -- cost ----------------------------------------------------------------------------------

    def cost(self, prices: "Pricer", name: str, entry: EntryModel, spec: Any) -> list["CostLine"]:
        return [self.unpriced(name, self.noun or self.section,
                              f"agentops has no price model for {self.name}")]

    def line(self, name: str, what: str, monthly_usd: float | None, detail: str) -> "CostLine":
        from agentops.findings import CostLine

        return CostLine(resource=f"{self.section}.{name}", type=what, monthly_usd=monthly_usd,
                        detail=detail)

    def unpriced(self, name: str, what: str, detail: str) -> "CostLine":
        """A line listed as unpriced (never counted as zero)."""
        return self.line(name, what, None, detail)

    # -- policies ------------------------------------------------------------------------------

    def policies(self) -> list[Any]:
        return []

    # -- edits (on round-trip YAML entries; agentops.edit calls these) -------------------------

    def fields_for(self, action: str) -> Mapping[str, str]:
        fields = self.actions[action].fields if action in self.actions else {}
        if action == "create" and "cluster" in self.references and action in self.actions:
            # what runs on a cluster is created on the one the command names ("deploy api on
            # the main cluster"); with one cluster in the stack it may go unsaid
            return {**fields, "cluster": "cluster"}
        return fields

    def mapped(self, action: str, name: str, params: dict) -> dict[str, Any]:
        """Parameters -> spec fields for `action`; an unknown key is an error listing the rest."""
        mapping = self.fields_for(action)
        unknown = sorted(set(params) - set(mapping))
        if unknown:
            raise EditError(
                f"{self.section}.{name}: cannot set {', '.join(unknown)} on {self.section}",
                hint=f"parameters for {self.section}: {', '.join(sorted(mapping)) or 'none'}",
            )
        return {mapping[k]: v for k, v in params.items()}

    def create_entry(self, name: str, params: dict, doc: "CommentedMap", kind_word: str | None
                     ) -> "CommentedMap":
        """A new entry from a create action's parameters."""
        from ruamel.yaml.comments import CommentedMap

        entry = CommentedMap()
        for key, value in self.mapped("create", name, params).items():
            entry[key] = value
        return entry

    def update(self, entry: "CommentedMap", name: str, params: dict, now: Callable) -> str:
        from agentops.kinds.yamledit import append

        if not params:
            raise EditError(f"update {self.section}.{name}: the action sets no parameter",
                            hint=f"parameters for {self.section}: "
                                 f"{', '.join(sorted(self.fields_for('update'))) or 'none'}")
        for key, value in self.mapped("update", name, params).items():
            append(entry, key, value)
        return f"update {self.section}.{name}: " + describe(params)

    def scale(self, entry: "CommentedMap", name: str, params: dict, now: Callable) -> str:
        from agentops.kinds.yamledit import append

        mapped = self.mapped("scale", name, params) if params else {}
        if not mapped:
            raise EditError(f"scale {self.section}.{name}: the action says no size",
                            hint=f"parameters for scaling {self.section}: "
                                 f"{', '.join(sorted(self.fields_for('scale')))}")
        for key, value in mapped.items():
            append(entry, key, value)
        return f"scale {self.section}.{name}: " + describe(params)

    def restart(self, entry: "CommentedMap", name: str, params: dict, now: Callable) -> str:
        raise self.unsupported("restart", name)

    def backup(self, entry: "CommentedMap", name: str, params: dict, now: Callable) -> str:
        raise self.unsupported("backup", name)

    def delete(self, doc: "CommentedMap", name: str, params: dict) -> str | None:
        """Delete part of an entry when the parameters say which (a rule's port); None: the
        whole entry goes."""
        return None

    def unsupported(self, action: str, name: str) -> EditError:
        return EditError(
            f"{action} does not apply to {self.section}; {name!r} is in {self.section}",
            hint=f"{self.section} supports: {', '.join(self.actions) or 'nothing'}",
        )


def plan_key_for(annotation: Any):
    """The plan-line field (agentops.planline.PlanKey) for a value of this type."""
    import types
    import typing

    from agentops import planline

    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        if len(args) == 1:
            return plan_key_for(args[0])
        # int | str ("2" or "50%"): said as written, a number kept a number
        return planline.PlanKey(planline.WORD, _int_or_text, literal=True)
    if origin is typing.Literal:
        return planline.PlanKey(planline._alt(str(a) for a in typing.get_args(annotation)))
    if origin in (list, tuple):
        return planline.PlanKey(planline.WORDS, str, literal=True)
    if annotation is bool:
        return planline.PlanKey("(true|false)", planline._bool)
    if annotation is int:
        return planline.PlanKey(f"({planline.INT})", int, relative=True)
    if annotation is float:
        return planline.PlanKey(r"[0-9]+(\.[0-9]+)?", planline._number)
    return planline.PlanKey(planline.WORD, str, literal=True)


def _int_or_text(text: str):
    return int(text) if text.isdigit() else text


def check_cidr(value: str) -> str:
    """A pydantic field validator for CIDR blocks: `_cidr = field_validator("cidr")(check_cidr)`."""
    import ipaddress

    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError as exc:
        raise ValueError(f"not a CIDR block (like 10.0.0.0/16): {exc}") from None
    return value


def describe(params: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in params.items())


# ---------------------------------------------------------------------------------------------
# Rendering


COMPONENT_PREFIX = "agentops:spec:"
SPEC_TAG = "agentops:resource"


class RenderContext:
    """What a kind's renderer gets: the spec and stack, the stack's AWS provider, tags, one
    component per entry, and what earlier kinds published (a network's subnets, a cluster)."""

    def __init__(self, spec: Any, stack: str, config: "pulumi.Config | None", registry: "Registry"):
        self.spec = spec
        self.stack = stack
        self.config = config
        self.registry = registry
        self.outputs: dict[str, dict[str, Any]] = {}
        # Shared, lazily made things (a Kubernetes provider per cluster): kinds key them.
        self.memo: dict[Any, Any] = {}
        self._aws = None

    def tags(self, section: str, name: str) -> dict[str, str]:
        # Stack tags first, then what the tool owns: environment is the stack, always.
        return {**self.spec.tags, "environment": self.stack, SPEC_TAG: f"{section}.{name}"}

    def component(self, section: str, name: str) -> "pulumi.ResourceOptions":
        """One ComponentResource per spec entry (type agentops:spec:<section>, named after the
        entry); the options parent a kind's resources to it. Children inherit its AWS provider,
        so the spec's region is the one used."""
        import pulumi

        comp = pulumi.ComponentResource(
            f"{COMPONENT_PREFIX}{section}", name, None,
            opts=pulumi.ResourceOptions(providers={"aws": self.aws_provider()}),
        )
        return pulumi.ResourceOptions(parent=comp)

    def aws_provider(self):
        if self._aws is None:
            import pulumi_aws as aws

            self._aws = aws.Provider("aws", region=self.spec.region)
        return self._aws

    def publish(self, section: str, name: str, value: Any) -> None:
        self.outputs.setdefault(section, {})[name] = value

    def output(self, section: str, name: str) -> Any:
        return self.outputs[section][name]

    def find(self, name: str) -> tuple[str, Any] | None:
        return self.spec.find(name)


# ---------------------------------------------------------------------------------------------
# The registry


class Registry:
    """The kinds in effect: the built-in and installed ones, plus a repository's own."""

    def __init__(self, kinds: Iterable[Kind], root: str | None = None):
        ordered = sorted(kinds, key=lambda k: (k.spec_order, k.section))
        self.kinds: dict[str, Kind] = {}
        names: dict[str, Kind] = {}
        for kind in ordered:
            _check_declaration(kind)
            for other in (self.kinds.get(kind.section), names.get(kind.name)):
                if other is not None:
                    raise KindError(
                        f"kinds {_origin(other)} and {_origin(kind)} both declare "
                        f"{'section ' + repr(kind.section) if other.section == kind.section else 'the name ' + repr(kind.name)}",
                        hint="rename one of them: a section and a kind name belong to one kind",
                    )
            self.kinds[kind.section] = kind
            names[kind.name] = kind
        # The repository whose own kinds are included (None: built-in and installed only).
        self.root = root
        self._spec_model = None
        self._fingerprint: str | None = None
        self._replace: dict[str, tuple[str, ...]] | None = None
        self._taggable: frozenset[str] | None = None

    # -- lookups -------------------------------------------------------------------------------

    def __iter__(self):
        return iter(self.kinds.values())

    def __contains__(self, section: object) -> bool:
        return section in self.kinds

    def __getitem__(self, section: str) -> Kind:
        try:
            return self.kinds[section]
        except KeyError:
            raise KindError(f"no kind declares the section {section!r}",
                            hint=f"known sections: {', '.join(self.kinds)}") from None

    def sections(self) -> list[str]:
        return list(self.kinds)

    def rendering(self) -> list[Kind]:
        return sorted(self.kinds.values(), key=lambda k: (k.render_order, k.spec_order))

    def of_type(self, resource: ResourceType | str) -> list[Kind]:
        value = resource.value if isinstance(resource, ResourceType) else resource
        return [k for k in self if k.resource_type.value == value]

    def by_kind_value(self, value: str | None) -> Kind | None:
        """The kind a parameters.kind value (or one of its words) selects."""
        if not value:
            return None
        word = value.lower()
        for kind in self:
            if word in kind.kind_values:
                return kind
        for kind in self:
            if word in kind.words or word in (kind.section, kind.name, kind.noun):
                return kind
        return None

    def kind_values(self) -> list[str]:
        """Every parameters.kind value of the interpreted kinds, in grammar order."""
        ordered = sorted((k for k in self if k.interpreted), key=lambda k: (k.grammar_rank, k.spec_order))
        return list(dict.fromkeys(v for k in ordered for v in k.kind_values))

    def words(self, interpreted: bool = True) -> set[str]:
        """Every word some kind claims (nouns, synonyms, service names, kind values): of the
        kinds the interpreter takes commands for, or (interpreted=False) of the others."""
        out: set[str] = set()
        for k in self:
            if k.interpreted != interpreted:
                continue
            for w in (*k.words, *k.kind_values, k.noun, k.name, k.section):
                out.update(w.lower().split())
        return out

    def taggable(self) -> frozenset[str]:
        if self._taggable is None:
            out: set[str] = set()
            for k in self:
                out |= k.taggable
            self._taggable = frozenset(out)
        return self._taggable

    def replace_on_change(self) -> dict[str, tuple[str, ...]]:
        if self._replace is None:
            out: dict[str, tuple[str, ...]] = {}
            for k in self:
                for rtype, paths in k.replace_on_change.items():
                    out[rtype] = tuple(dict.fromkeys((*out.get(rtype, ()), *paths)))
            self._replace = out
        return self._replace

    def known(self) -> str:
        """"instance (instances), cluster (clusters), ...": the kinds commands can name."""
        return ", ".join(f"{'/'.join(k.kind_values) if len(k.kind_values) > 1 else k.noun} "
                         f"({k.section})" for k in self if k.interpreted)

    # -- the spec model ------------------------------------------------------------------------

    @property
    def spec_model(self):
        """The pydantic model of a whole stack spec with these kinds' sections."""
        if self._spec_model is None:
            from agentops.spec import build_spec_model

            self._spec_model = build_spec_model(self)
        return self._spec_model

    def fingerprint(self) -> str:
        """SHA-256 over every kind's source file: a changed or new kind module changes it (the
        graph cache key includes it)."""
        if self._fingerprint is None:
            import hashlib
            from pathlib import Path

            digest = hashlib.sha256()
            files = sorted({k.source_file or "" for k in self})
            for path in files:
                digest.update(path.encode() + b"\0")
                try:
                    digest.update(Path(path).read_bytes())
                except OSError:
                    digest.update(b"(unreadable)")
            self._fingerprint = digest.hexdigest()
        return self._fingerprint


_SECTION_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_RESERVED = {"provider", "region", "tags"}


def _origin(kind: Kind) -> str:
    return f"{kind.name!r} ({kind.source_file or type(kind).__module__})"


def _check_declaration(kind: Kind) -> None:
    problems = []
    if not kind.name:
        problems.append("no name")
    if not _SECTION_RE.match(kind.section or "") or kind.section in _RESERVED:
        problems.append(f"section {kind.section!r} is not a lowercase identifier "
                        f"(and not one of {', '.join(sorted(_RESERVED))})")
    if not (isinstance(kind.model, type) and issubclass(kind.model, BaseModel)) or kind.model is EntryModel:
        problems.append("no pydantic entry model (model = ...)")
    if not isinstance(kind.resource_type, ResourceType):
        problems.append(f"resource_type must be one of {', '.join(r.value for r in ResourceType)}")
    unknown = sorted(set(kind.actions) - {a.value for a in ActionType})
    if unknown:
        problems.append(f"unknown action(s) {', '.join(unknown)}")
    if problems:
        raise KindError(f"kind {_origin(kind)}: " + "; ".join(problems),
                        hint="see agentops/kinds/base.py's docstring for what a kind declares")
