"""Training commands for every kind in the registry, and for the ways people write beyond one
plain action: references between actions, relative changes, cluster sizes in everyday words.

The kinds' words, kind values, nouns, actions, parameter keys and their value shapes come from
the registry (agentops.kinds: built-in, installed and, with --kinds-root, a repository's own),
so a kind added to the registry is in the next training set without an edit here. What a
kind's parameter sounds like in a sentence is derived from its key ("retention_seconds" ->
"retention of 4 days"); a kind may say more with `phrases` (not needed by the built-ins).

Labels are typed Actions rendered by agentops.planline.render, as in synth.py; the
evaluation sets are not read.
"""

from __future__ import annotations

import random
import typing

from agentops.actionplan import Action, ActionType, Parameters, ResourceType
from agentops.kinds import active

# The long-standing kinds, written by synth.py's hand-tuned intents.
SYNTH_SECTIONS = {"network", "instances", "clusters", "deployments", "databases", "storage",
                  "alerts", "security"}
TOPICS = ("orders order-events emails thumbnails payments billing search reports sessions uploads "
          "notifications audit checkout invoices users media clicks signups inventory ledger "
          "webhooks exports imports metrics chat receipts fraud shipping catalog").split()
NUMBER_WORDS = "zero one two three four five six seven eight nine ten eleven twelve".split()
CREATE_VERBS = ["create", "add", "set up", "provision", "spin up", "stand up", "make", "I need", "we need"]
DELETE_VERBS = ["delete", "remove", "tear down", "drop", "get rid of", "decommission"]
# time units for *_seconds keys: (word, seconds)
TIME_UNITS = [("seconds", 1), ("minutes", 60), ("hours", 3600), ("days", 86400)]


def generic_kinds(registry=None) -> list:
    """The kinds synth.py does not write by hand: every other interpreted kind."""
    registry = registry if registry is not None else active()
    return [k for k in registry if k.interpreted and k.section not in SYNTH_SECTIONS]


def names_for(kind, rng: random.Random, n: int) -> list[str]:
    out: list[str] = []
    suffix = (kind.default_name or kind.noun or kind.section).replace("_", "-").split()[0]
    while len(out) < n:
        topic = rng.choice(TOPICS)
        name = rng.choice([topic, topic, f"{topic}-{suffix}", f"{topic}-{rng.choice(['v2', 'main', 'prod', 'jobs', 'svc'])}"])
        if name not in out:
            out.append(name)
    return out


def _word(kind, rng: random.Random) -> str:
    words = [w for w in kind.words if " " in w or len(w) > 3] or list(kind.words) or [kind.noun]
    return rng.choice(words)


def _said_number(rng: random.Random, n: int) -> str:
    return NUMBER_WORDS[n] if n <= 12 and rng.random() < 0.3 else str(n)


def key_words() -> set[str]:
    """Every word the generator says for a kind's own keys (kept free of typos)."""
    return {w for k in generic_kinds() for key in k.plan_keys() for w in _key_words(key).split()}


def _key_words(key: str) -> str:
    for suffix in ("_seconds", "_mb", "_gb", "_days", "_hours"):
        if key.endswith(suffix):
            key = key[: -len(suffix)]
    return key.replace("_", " ")


def _said_with(key: str, templates, rng: random.Random):
    """(value, phrase) from one of a kind's own templates (Kind.phrases)."""
    template = rng.choice(templates)
    if "{unit}" in template and key.endswith("_seconds"):
        unit, factor = rng.choice(TIME_UNITS)
        n = rng.randint(1, 14 if factor >= 86400 else 59)
        return n * factor, template.format(n=_said_number(rng, n), unit=unit)
    if "{unit}" in template and key.endswith("_mb"):
        if rng.random() < 0.5:
            n = rng.choice([128, 256, 512, 1024, 2048, 3008])
            return n, template.format(n=n, unit=rng.choice(["MB", "mb"]))
        n = rng.randint(1, 8)
        return n * 1024, template.format(n=n, unit=rng.choice(["GB", "gb"]))
    if "{unit}" in template and key == "ttl":
        unit, factor = rng.choice(TIME_UNITS[:3])
        n = rng.randint(1, 59)
        return n * factor, template.format(n=n, unit=unit)
    n = rng.choice([7, 14, 30, 60, 90, 180, 365]) if key.endswith("_days") else rng.randint(1, 500)
    return n, template.format(n=n, unit="")


def value_phrase(key: str, spec, rng: random.Random, phrases=None):
    """(value, phrase) for one of a kind's own keys, or None when the key's values are not
    ones a generator can make up sensibly (free strings other than a few known shapes).
    `phrases`: the kind's own templates (Kind.phrases), used where it has them."""
    from agentops import planline

    phrases = phrases or {}
    words = _key_words(key)
    if spec.convert is int and key in phrases:
        return _said_with(key, phrases[key], rng)
    if spec.convert is int:
        if key.endswith("_seconds"):
            unit, factor = rng.choice(TIME_UNITS)
            n = rng.randint(1, 14 if factor >= 86400 else 59)
            said = _said_number(rng, n)
            return n * factor, rng.choice([f"{words} of {said} {unit}", f"{said} {unit} {words}",
                                           f"a {words} of {said} {unit}"])
        if key.endswith("_mb"):
            if rng.random() < 0.5:
                n = rng.choice([128, 256, 512, 1024, 2048, 3008])
                return n, rng.choice([f"{n} MB of {words}", f"{n}mb {words}", f"{words} {n} MB"])
            n = rng.randint(1, 8)
            return n * 1024, rng.choice([f"{n} GB of {words}", f"{n}gb {words}"])
        if key.endswith("_days"):
            n = rng.choice([7, 14, 30, 60, 90, 180, 365])
            return n, rng.choice([f"{words} every {n} days", f"{words} of {n} days", f"{n} day {words}"])
        n = rng.randint(1, 50)
        return n, rng.choice([f"{words} {n}", f"{n} {words}", f"{words} of {n}"])
    if spec.convert is planline._bool:
        return True, rng.choice([words, f"with {words}", f"{words} on"])
    if spec.pattern.startswith("(") and spec.convert is str and not spec.literal:
        values = spec.pattern[1:-1].replace("\\", "").split("|")
        value = rng.choice(values)
        return value, rng.choice([f"{words} {value}", f"on {value}", f"using {value}"])
    if key == "host":
        value = f"{rng.choice(TOPICS)}.{rng.choice(['example.com', 'acme.io', 'internal.net'])}"
        return value, rng.choice([f"for {value}", f"host {value}", f"on {value}"])
    if key == "path":
        value = "/" + rng.choice(TOPICS)
        return value, f"path {value}"
    return None


def _action(type_: str, of, name, stack, **params) -> Action:
    return Action(type=ActionType(type_), resource=of.resource_type, name=name, stack=stack,
                  parameters=Parameters.model_validate({k: v for k, v in params.items() if v is not None}))


def create_any(ctx, kind) -> tuple[str, list[Action]] | None:
    name = ctx.new_generic(kind)
    verb = ctx.pick(CREATE_VERBS)
    word = _word(kind, ctx.rng)
    article = "an" if word[0] in "aeiou" else "a"
    named = ctx.pick([f"{article} {word} named {name}", f"{article} {word} called {name}",
                      f"{article} {name} {word}", f"{article} new {word} {name}", f"{article} {word} for {name}"])
    params, phrases = {}, []
    keys = list(kind.plan_keys().items())
    ctx.rng.shuffle(keys)
    for key, spec in keys[: ctx.rng.choice([0, 0, 1, 1, 2])]:
        if key not in kind.fields_for("create"):
            continue
        made = value_phrase(key, spec, ctx.rng, kind.phrases)
        if made:
            params[key], phrase = made
            phrases.append(phrase)
    if "image" in kind.fields_for("create") and ctx.rng.random() < 0.6:
        from synth import image_for

        params["image"] = image_for(ctx, name)
        phrases.append(ctx.pick([f"from image {params['image']}", f"running {params['image']}",
                                 f"image {params['image']}"]))
    text = f"{verb} {named}{ctx.where()}"
    if phrases:
        text += ctx.pick([" with ", ", ", " and "]) + " and ".join(phrases)
    kind_value = kind.kind_values[0] if kind.kind_values else None
    return text, [_action("create", kind, name, ctx.stack_label(), kind=kind_value, **params)]


def update_any(ctx, kind) -> tuple[str, list[Action]] | None:
    name = ctx.existing_generic(kind)
    keys = [(k, s) for k, s in kind.plan_keys().items() if k in kind.fields_for("update")]
    if not name or not keys or not kind.supports("update"):
        return None
    key, spec = ctx.pick(keys)
    made = value_phrase(key, spec, ctx.rng, kind.phrases)
    if not made:
        return None
    value, phrase = made
    noun = ctx.pick([f" {kind.noun}", f" {_word(kind, ctx.rng)}", ""])
    w = ctx.where()
    text = ctx.pick([f"set the {name}{noun}{w} to {phrase}", f"change {name}{noun}{w}: {phrase}",
                     f"update the {name}{noun}{w} with {phrase}", f"give {name}{noun} {phrase}{w}"])
    kind_value = kind.kind_values[0] if kind.kind_values and kind.resource_type == ResourceType.infrastructure else None
    return text, [_action("update", kind, name, ctx.stack_label(), kind=kind_value, **{key: value})]


def delete_any(ctx, kind) -> tuple[str, list[Action]] | None:
    name = ctx.existing_generic(kind)
    if not name:
        return None
    noun = ctx.pick([f" {kind.noun}", f" {_word(kind, ctx.rng)}", ""])
    text = f"{ctx.pick(DELETE_VERBS)} the {name}{noun}{ctx.where()}"
    return text, [_action("delete", kind, name, ctx.stack_label())]


def monitor_any(ctx, kind) -> tuple[str, list[Action]] | None:
    name = ctx.existing_generic(kind)
    metrics = [m for m in ("cpu", "memory", "errors", "latency", "connections") if m in " ".join(
        [*kind.alarm_metrics, kind.actions["monitor"].note if "monitor" in kind.actions else ""])]
    if not name or not metrics:
        return None
    metric = ctx.pick(metrics)
    n = ctx.rng.randint(1, 95)
    text = ctx.pick([f"alert me when {name} {metric} goes above {n}{ctx.where()}",
                     f"add an alarm on the {name} {kind.noun} {metric} over {n}{ctx.where()}",
                     f"page us if {metric} on {name} passes {n}{ctx.where()}"])
    return text, [_action("monitor", kind, name, ctx.stack_label(), metric=metric, threshold=n)]


def scale_any(ctx, kind) -> tuple[str, list[Action]] | None:
    name = ctx.existing_generic(kind)
    fields = kind.fields_for("scale")
    if not name or not fields:
        return None
    key = next((k for k in ("count", "replicas", "min_size", "memory_mb") if k in fields), None)
    if key is None:
        return None
    n = ctx.rng.randint(1, 12) if key != "memory_mb" else ctx.pick([256, 512, 1024, 2048])
    unit = {"count": ctx.pick(["nodes", "", "instances"]), "replicas": "replicas",
            "min_size": "minimum replicas", "memory_mb": "MB"}[key]
    text = f"scale {ctx.pick(['the ', ''])}{name} {kind.noun}{ctx.where()} to {_said_number(ctx.rng, n) if key != 'memory_mb' else n} {unit}".rstrip()
    kind_value = kind.kind_values[0] if kind.kind_values and kind.resource_type == ResourceType.infrastructure else None
    return text, [_action("scale", kind, name, ctx.stack_label(), kind=kind_value, **{key: n})]


GENERIC_INTENTS = [(create_any, 5), (update_any, 3), (delete_any, 2), (monitor_any, 1), (scale_any, 1)]


def any_kind(ctx) -> tuple[str, list[Action]] | None:
    kinds = generic_kinds()
    kind = ctx.pick(kinds)
    intents, weights = zip(*GENERIC_INTENTS)
    intent = ctx.rng.choices(intents, weights)[0]
    if not kind.supports(intent.__name__.split("_")[0]):
        return None
    return intent(ctx, kind)


# ---------------------------------------------------------------------------------------------
# Beyond one plain action


def relative_scale(ctx) -> tuple[str, list[Action]] | None:
    """"add three replicas to search", "halve batch", "one node fewer": the change, as +N/-N/*N//N."""
    from synth import action

    if ctx.rng.random() < 0.7:
        name = ctx.existing("deployments")
        resource, key, noun, kind = "deployment", "replicas", ctx.pick(["replicas", "pods", "instances"]), None
    else:
        name = ctx.existing("clusters")
        resource, key, noun, kind = "infrastructure", "count", ctx.pick(["nodes", "workers"]), "cluster"
    if not name:
        return None
    n = ctx.rng.randint(1, 5)
    said = _said_number(ctx.rng, n)
    w = ctx.where()
    form = ctx.rng.randint(0, 5)
    if form == 0:
        text, change = ctx.pick([f"add {said} {noun} to {name}{w}", f"give {name} {said} more {noun}{w}",
                                 f"{name}{w} needs {said} more {noun}", f"add {said} more {noun} to {name}{w}"]), f"+{n}"
    elif form == 1:
        text, change = ctx.pick([f"remove {said} {noun} from {name}{w}", f"{name}{w}: {said} {noun[:-1]} fewer",
                                 f"run {said} fewer {noun} of {name}{w}", f"take {name} down by {said}{w}"]), f"-{n}"
    elif form == 2:
        text, change = ctx.pick([f"double {name}{w}", f"double the {noun} of {name}{w}",
                                 f"twice as many {noun} for {name}{w}"]), "*2"
    elif form == 3:
        text, change = ctx.pick([f"halve {name}{w}", f"cut the {name} {noun} in half{w}",
                                 f"halve the {noun} of {name}{w}"]), "/2"
    elif form == 4:
        text, change = ctx.pick([f"scale {name} up by {said}{w}", f"bump {name} by {said} {noun}{w}",
                                 f"increase {name} by {said} {noun}{w}"]), f"+{n}"
    else:
        text, change = ctx.pick([f"scale {name} down by {said}{w}", f"reduce {name} by {said} {noun}{w}",
                                 f"decrease {name} by {said}{w}"]), f"-{n}"
    a = action("scale", resource, name, ctx.stack_label(), kind=kind)
    a = a.model_copy(update={"relative": {key: change}})
    return text, [a]


def cluster_words(ctx) -> tuple[str, list[Action]] | None:
    """Node counts, minimum and maximum said in everyday words."""
    from synth import action

    name = ctx.existing("clusters")
    if not name:
        return None
    n = ctx.rng.randint(1, 30)
    said = _said_number(ctx.rng, n)
    w = ctx.where()
    form = ctx.rng.randint(0, 3)
    if form == 0:
        text, key = ctx.pick([f"run {name} on {said} nodes{w}", f"{name}{w} should have {said} nodes",
                              f"give the {name} cluster {said} nodes{w}", f"set {name} to {said} nodes{w}"]), "count"
    elif form == 1:
        text, key = ctx.pick([f"let {name} grow to {said} nodes{w}", f"allow the {name} cluster up to {said} nodes{w}",
                              f"cap {name} at {said} nodes{w}", f"max {said} nodes for {name}{w}"]), "max_size"
    elif form == 2:
        text, key = ctx.pick([f"keep at least {said} nodes in {name}{w}", f"never let {name} go below {said} nodes{w}",
                              f"min {said} nodes for the {name} cluster{w}"]), "min_size"
    else:
        text, key = ctx.pick([f"shrink {name} to {said} nodes{w}", f"bring {name} down to {said} nodes{w}"]), "count"
    return text, [action("scale", "infrastructure", name, ctx.stack_label(), kind="cluster", **{key: n})]


def create_then_watch(ctx) -> tuple[str, list[Action]] | None:
    """A create, then an action on what it creates ("... and alert me when its memory passes 70%")."""
    from synth import METRICS, action, create_deployment

    made = create_deployment(ctx)
    if not made:
        return None
    text, actions = made
    name = actions[0].name
    metric = ctx.pick(["cpu", "memory", "errors", "latency"])
    n = ctx.rng.randint(50, 95) if metric in ("cpu", "memory") else ctx.rng.randint(1, 500)
    mword = ctx.pick(METRICS[metric])
    text += ctx.pick([f" and alert me when its {mword} passes {n}", f", then add an alert on {mword} above {n}",
                      f" and page us if {name} {mword} goes over {n}", f"; alarm on its {mword} at {n}"])
    return text, actions + [action("monitor", "deployment", name, actions[0].stack, metric=metric, threshold=n)]


EXTRA_INTENTS = [(any_kind, 40), (relative_scale, 4), (cluster_words, 3), (create_then_watch, 3)]


def repo_entries(rng: random.Random) -> dict[str, list[str]]:
    """section -> names for a made-up repository's other kinds (a few kinds each time)."""
    kinds = generic_kinds()
    chosen = rng.sample(kinds, min(len(kinds), rng.randint(2, 7)))
    return {k.section: names_for(k, rng, rng.randint(1, 3)) for k in chosen}
