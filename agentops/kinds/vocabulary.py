"""Infrastructure nouns agentops may not know: the interpreter's deterministic refusal.

A command that asks for something no registered kind declares ("create an SQS queue called
jobs in dev") must fail by name, before the model can map it onto a kind it knows (a bucket
named jobs). COMMON_KINDS is a small vocabulary of the nouns and service names people use for
infrastructure; a word of it that no registered kind claims (Kind.words, kind_values, noun,
name, section) is refused. A kind that claims the word (a team's `queues` kind with
words = ("queue", "sqs")) lets the command through.

Only words that are plainly a kind of resource are listed: "service", "key", "role",
"table", "secret" or "ingress" alone also name parts of kinds agentops has (a Kubernetes
Service, an ingress rule), so they count only inside the phrases below. Words that are part of
a name or a value are not read as kinds: hyphenated names (build-cache), images and CIDRs
(redis:7.2, ghcr.io/acme/queue:2.0.1), the word after "named"/"called"/"as", and the names of
existing resources.
"""

from __future__ import annotations

import re
from typing import Iterable

from agentops.errors import InterpretError

# Single words: services and nouns that always mean a kind of resource.
COMMON_KINDS: frozenset[str] = frozenset("""
    queue queues sqs sns topic topics kafka msk kinesis eventbridge
    redis memcached elasticache valkey cache caches
    lambda lambdas function functions serverless fargate ecs
    dynamodb dynamo
    alb elb nlb loadbalancer
    route53 dns
    ecr
    kms
    configmap configmaps cronjob cronjobs hpa autoscaler autoscalers ingresses
    cloudfront cdn opensearch elasticsearch cognito efs redshift sagemaker
    vpn rabbitmq activemq memorydb neptune documentdb firehose athena emr glue waf acm
    cloudtrail guardduty ses appsync amplify lightsail beanstalk codebuild codepipeline
    bigquery fsx mongodb mongo cassandra keyspaces timestream kafka zookeeper stepfunctions sfn
    mainframe mainframes lpar lpars
    slurm ssid ssids
""".split())

# Phrases whose words alone are ambiguous: matched as a whole.
COMMON_PHRASES: tuple[tuple[str, ...], ...] = tuple(tuple(p.split()) for p in (
    "load balancer", "load balancers", "dns record", "dns records", "route 53",
    "container registry", "docker registry", "image registry", "secrets manager",
    "kms key", "iam role", "iam roles", "iam policy", "service account",
    "config map", "cron job", "cron jobs", "pod autoscaler", "kubernetes namespace",
    "k8s namespace", "kubernetes ingress", "k8s ingress", "ingress controller",
    "api gateway", "step functions", "step function", "state machine", "state machines", "target group", "hosted zone", "dynamodb table",
    "dynamodb tables", "ecr repository", "ecr repositories",
    "vpn gateway", "nat gateway", "transit gateway", "internet gateway", "vpc endpoint",
    "vpc peering", "elastic ip", "cloud run", "app engine", "event bus", "service mesh",
    "message broker", "search domain", "data warehouse", "cloudwatch dashboard",
    "gke autopilot", "cloud function", "cloud functions", "wifi controller", "wifi controllers",
    "wireless controller", "azure ad",
))

# The word after these is a name, not a kind ("deploy redis:7.2 as cache").
_NAME_MARKERS = {"named", "called", "as", "name"}
_TOKEN = re.compile(r"\S+")


def _tokens(text: str) -> list[str | None]:
    """Lowercased words; None where a token is a name or value (kept so adjacency holds)."""
    out: list[str | None] = []
    previous = ""
    for raw in _TOKEN.findall(text):
        token = raw.strip(".,;!?\"'()[]{}").lower()
        if not token:
            continue
        is_value = any(c in token for c in ":/=@") or "-" in token or "." in token
        out.append(None if is_value or previous in _NAME_MARKERS else token)
        previous = token
    return out


def unknown_kind_words(text: str, known_words: Iterable[str],
                       names: Iterable[str] = (), also: Iterable[str] = (),
                       phrases: Iterable[tuple[str, ...]] = ()) -> list[str]:
    """The phrases of `text` that name a kind of infrastructure no registered kind claims, in
    the order they appear ("sqs queue", "redis cache"). known_words: every word the registry's
    kinds claim (Registry.words()); names: existing resource names (never read as kinds);
    also, phrases: more words and phrases to look for (those of kinds the interpreter does not
    take yet)."""
    known = {w.lower() for w in known_words}
    vocabulary = COMMON_KINDS | {w.lower() for w in also}
    taken = {n.lower() for n in names}
    tokens = [None if t in taken else t for t in _tokens(text)]
    if any(t in known for t in tokens if t):
        # "an IAM role for glue", "a queue for the lambda": after a kind the registry has,
        # the word after "for" says what it serves, not another kind asked for.
        tokens = [None if (i and tokens[i - 1] == "for")
                  or (i > 1 and tokens[i - 2] == "for" and tokens[i - 1] in ("a", "an", "the", "our"))
                  else t for i, t in enumerate(tokens)]
    hits = [False] * len(tokens)
    for i, token in enumerate(tokens):
        if token and token in vocabulary and token not in known:
            hits[i] = True
    for phrase in dict.fromkeys((*COMMON_PHRASES, *phrases)):
        n = len(phrase)
        if " ".join(phrase) in known or all(w in known for w in phrase):
            continue
        for i in range(len(tokens) - n + 1):
            if tuple(tokens[i:i + n]) == phrase:
                for j in range(i, i + n):
                    hits[j] = True
    # An unknown word names the kind with the known noun after it: "kafka topic" (a topic
    # agentops has is an SNS topic, not what was asked), "memcached cache".
    for i in range(len(tokens) - 1):
        if hits[i] and tokens[i + 1] and tokens[i + 1] in known and not hits[i + 1]:
            hits[i + 1] = True
    # Adjacent unknown words are one phrase: "sqs queue", "kafka topic".
    phrases: list[str] = []
    current: list[str] = []
    for token, hit in zip(tokens, hits):
        if hit:
            current.append(token)  # type: ignore[arg-type]
        elif current:
            phrases.append(" ".join(current))
            current = []
    if current:
        phrases.append(" ".join(current))
    return list(dict.fromkeys(phrases))


# Where a kind no registry has is said as the reason for a change, not asked for: where
# something went ("the replay tool moved to kinesis", "reached through the VPN", "behind the
# VPN hostname", "billing subscribes to the event bus now", "collides with the office vpn"), an
# existing thing written out after it ("hosted zone Z0381...", "the
# cloudfront distribution d2m4.cloudfront.net"), or a word of a team or an address ("the store
# VPN team"). Narrow on purpose: anything else naming a missing kind is refused by name.
_WENT = (r"(?:moved|migrated|switched|went|moving|migrating|switching|goes|going|reached|routed|sits|lives"
         r"|pulls|served|fronted|subscribes|subscribed|publishes|published|sends|talks|writes|listens)"
         r"\s+(?:\w+\s+){0,2}?(?:to|through|via|behind|over|with|from|by|on)")
# what a change is for getting out of the way of ("the old range collides with the office vpn")
_CLASHES = r"(?:collides?|colliding|clash(?:es)?|clashing|overlaps?|overlapping|conflicts?|conflicting)\s+with"
# what the team is on now ("we're fully on SES now", "we use SES these days")
_WE_ARE_ON = r"(?:we(?:'re|\s+are)|we\s+(?:now\s+|all\s+)?use|we've\s+moved)\s+(?:\w+\s+)?(?:on|using|to)?"
_CONTEXT_BEFORE = re.compile(rf"(?:\b{_WENT}|\b{_WE_ARE_ON}|\b(?:behind|over|via|through))\s+(?:the\s+|our\s+|a\s+|an\s+)?(?:new\s+|old\s+)?$"
                             rf"|\b{_CLASHES}\s+(?:the\s+|our\s+|their\s+)?(?:[a-z]+\s+)?$")
_CONTEXT_AFTER = re.compile(r"^\s+(?:(?:[a-z]+\s+)?(?:(?=(?:[a-z]*\d){5})[a-z0-9]{8,}|[a-z0-9-]+(?:\.[a-z0-9-]+){2,})(?![\w-])"
                            r"|(?:team|folks|people|hostname|endpoint|vendor|provider|console|docs"
                            # (its address space: "stops overlapping the control centre VPN range")
                            r"|range|cidr|cidrs|subnet|subnets|ip|ips|address|addresses)\b)")


# The subject of a clause after the change, what there is already doing something ("kill the
# patch-ingress in prod, the CDN pulls from the bucket directly now"): "the"/"our" after a
# clause's end before it, a verb after it.
_SUBJECT_BEFORE = re.compile(r"[,;.]\s*(?:(?:since|as|because|but|and|now)\s+)?(?:the|our|their)\s+$")
_SUBJECT_AFTER = re.compile(r"^\s+(?:(?:now|already|still|also)\s+)?(?:is|was|are|were|has|had|[a-z]{2,}(?<!s)s)\b")


# What there is already doing something, said as now ("the back-office apps are on the VPN
# portal now", "the reports are already behind the cdn"): "is/are on the X", and "now" or
# "already" in the same clause. (Asked for, it is not said as what is: "make sure the apps are
# on a VPN" is refused.)
_ARE_ON_BEFORE = re.compile(r"\b(?:is|are|'re|was|were)\s+(?:all\s+|now\s+|already\s+)?(?:on|behind|using|in)"
                            r"\s+(?:the|our)\s+(?:new\s+)?$")
_NOW_IN_CLAUSE = re.compile(r"\b(?:now|already|these\s+days|since\b)")


def only_as_context(phrase: str, text: str) -> bool:
    """Whether every time `text` says `phrase` (a kind word no registered kind claims) it says
    it as context of the change (_CONTEXT_BEFORE, _CONTEXT_AFTER), never as what to make."""
    lowered = " ".join(text.lower().split())
    # (not inside a host name: "d2m4.cloudfront.net" says no kind)
    spots = list(re.finditer(rf"(?<![\w.-]){re.escape(phrase)}(?![\w-]|\.\w)", lowered))
    if not spots:
        return False
    return all(_CONTEXT_BEFORE.search(lowered[:m.start()]) or _CONTEXT_AFTER.match(lowered[m.end():])
               or (_SUBJECT_BEFORE.search(lowered[:m.start()]) and _SUBJECT_AFTER.match(lowered[m.end():]))
               or (_ARE_ON_BEFORE.search(lowered[:m.start()]) and _NOW_IN_CLAUSE.search(
                   re.split(r"[,;.!?]", lowered[:m.start()])[-1] + re.split(r"[,;.!?]", lowered[m.end():])[0]))
               for m in spots)


def kinds_named(text: str, registry: Iterable, names: Iterable[str] = ()) -> list:
    """The registered kinds the command's own words name (Kind.words, kind_values, noun), in
    registry order: for a guard that holds the model's action to the kind the command asked
    for ("an SQS queue" must not come back as a bucket). Names and values are not read."""
    taken = {n.lower() for n in names}
    tokens = [t for t in _tokens(text) if t and t not in taken]
    joined = f" {' '.join(tokens)} "
    found = []
    for kind in registry:
        for word in (*kind.words, *kind.kind_values, kind.noun):
            if word and f" {word.lower()} " in joined:
                found.append(kind)
                break
    return found


def refuse_unknown(text: str, registry, names: Iterable[str] = ()) -> None:
    """Raise InterpretError naming the kinds `text` asks for that `registry` lacks, listing
    the ones it has. Nothing is asked of the model and nothing is written."""
    known = registry.words()
    # "an IAM role that glue jobs assume": a kind the command names may take other services'
    # names as values (Kind.value_words); then they are not kinds asked for.
    named_here = kinds_named(text, list(registry), list(names))
    known = known | {w for k in named_here for w in k.value_words}
    # Looked for: what spec-only kinds declare (Kind.words). Their one-word words count alone
    # only when the curated vocabulary has them too ("sqs", "redis"): generic nouns ("role",
    # "record", "secret", "table") name parts of kinds agentops has, so they count only
    # inside the kinds' phrases ("iam role", "dns record").
    spec_only = [k for k in registry if not k.interpreted]
    declared = {w.lower() for k in spec_only for w in k.words if " " not in w} & COMMON_KINDS
    phrases = [tuple(w.lower().split()) for k in spec_only for w in k.words if " " in w]
    unknown = unknown_kind_words(text, known, names, also=declared - known, phrases=phrases)
    unknown = [u for u in unknown if not only_as_context(u, text)]
    if not unknown:
        return
    # A phrase whose words all belong to kinds a spec can hold but the interpreter has not
    # learnt ("sqs queue") is said so, with where to write it; any other phrase ("kafka
    # topic": no kind has kafka) has no kind at all.
    later = registry.words(interpreted=False)

    def spec_only(phrase: str) -> bool:
        words = phrase.split()
        return phrase.replace(" ", "") in later or (
            any(w in later for w in words) and all(w in later or w in known for w in words))

    missing = [u for u in unknown if not spec_only(u)]
    if not missing:
        which = ", ".join(f"'{u}'" for u in unknown)
        text_of = " ".join(unknown)
        written = [k for k in registry if not k.interpreted
                   and (kinds_named(text_of, [k]) or kinds_named(text_of.replace(" ", ""), [k]))]
        sections = ", ".join(f"{k.section}:" for k in written)
        raise InterpretError(
            f"agentops cannot interpret commands for {which} yet; it takes commands for: "
            f"{registry.known()}",
            hint=f"write it in stacks/<stack>.yaml ({sections} section; see `agentops kinds`) "
                 f"and run `agentops plan`",
        )
    which = ", ".join(f"'{u}'" for u in missing)
    raise InterpretError(
        f"agentops has no kind for {which}; it knows: {registry.known()}",
        hint="a repository can add its own kinds (kinds: {path: kinds} in .agentops.yaml; "
             "see `agentops kinds`)",
    )
