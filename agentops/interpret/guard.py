"""The guard: what the model wrote, held to what the command says and the specs contain.

guard() reads the actions in order and calls the readings of the sibling modules (targets,
values, relative, whole_plan); what no reading can make right is refused by name. compose()
turns the guarded actions into the ActionPlan's sentences.
"""

from __future__ import annotations

import difflib
import re
import typing

from pydantic import ValidationError

from agentops.actionplan import Action, ActionPlan, ActionType, Parameters, ResourceType
from agentops.errors import InterpretError
from agentops.interpret.facts import (
    _NEGATION,
    _key_unit,
    DELETE_PHRASES,
    DELETE_WORDS,
    DROPPED_TO,
    ENUM_WORDS,
    GENERIC_PARTS,
    GENERIC_SAID,
    KIND_PART_WORDS,
    LITERAL_KEYS,
    PROVIDER_WORDS,
    SECTION_NOUN,
    CommandFacts,
    _words,
)
from agentops.interpret.lookup import (
    _INT_KEYS,
    _candidates,
    _exists,
    _fields,
    _find,
    _fmt,
    _has_size_range,
    _is_stack_word,
    _is_vocabulary,
    _kind_of,
    _scale_or_update,
    _deleted_in_another_clause,
    kind_said,
    listed_between,
    stack_said,
)
from agentops.interpret.relative import _FACTOR_WORDS, _add_said_ends, _an_amount_for_a_change_of_nothing, _read_relative, _sizes_to_their_ends, _unsaid_numbers, resolve_relative
from agentops.interpret.targets import (
    _the_one_named_that_takes_it,
    _a_word_of_a_kind_said,
    _alarm_already_there,
    _belonging_to,
    said_as_its,
    _creates_of_what_is_there,
    _each_named,
    _groups_named_as_such,
    _longer_name_said,
    _misspelt_name,
    _named_after_its_kind,
    _named_for_its_target,
    _named_target,
    _names_as_written,
    _record_named_by_host,
    _referred_back,
    _rule_without_a_group,
    _said_as_purpose,
    _said_in_part,
    _said_target,
    _the_one_that_takes_it,
    _whole_name,
)
from agentops.interpret.values import (
    _key_by_its_value_now,
    _introduced_values,
    _keys_by_phrase,
    _ordinal_sizes,
    _said_literals,
    _images_named_after_them,
    _intro_words_are_no_values,
    _said_as_value,
    _said_metrics,
    _not_the_value_it_has,
    _old_to_new,
    _an_alerts_new_metric,
    _said_units,
    _not_the_old_value,
    _spelt_as_said,
    _said_values,
    _utilisation_targets,
    _values_from_words,
    _versions_as_images,
    _without_no_op_values,
    _without_old_values,
)
from agentops.interpret.whole_plan import (
    _said_restarts,
    _one_change_per_resource,
    _values_said_for_one,
    _backup_of_what_it_makes,
    _each_alarm_listed,
    _stacks_per_value,
    _backups_first,
    _taken_back,
    _the_verb_said_of_both,
    _the_key_of_the_change_before,
    _another_metric_of_what_an_alert_watches,
    _referrers_deleted_first,
    _pointed_at,
    ASKS_TO_WATCH,
    _alarms_asked_for,
    _lists_in_one,
    _one_change_of_a_key,
    _without_copied_values,
    _into_its_create,
    _references_said_as_such,
    _same_as_another,
    _unasked_monitors,
    _watched_as_said,
    _one_create_per_name,
    _values_per_stack,
    _within_another,
)
from agentops.spec import SECTIONS, STACK_ALIASES, StackSpec


def guard(
    actions: list[Action],
    facts: CommandFacts,
    specs: dict[str, StackSpec],
    default_stack: str | None,
    warnings: list[str],
    name_prefixes: tuple[str, ...] | list[str] = (),
    registry=None,
) -> list[Action]:
    """What the model wrote, held to what the command says and the specs contain.
    `name_prefixes`: the repository's naming conventions learned from reviewers' corrections
    (Memory.name_prefixes): a new resource may carry one in front of the name the command says.

    Actions are read in order, and a later action may act on what an earlier one creates
    ("create a worker deployment ... and alert me when its memory passes 70%"): the plan's own
    creates count as existing for the actions after them."""
    from agentops.kinds import active

    registry = registry if registry is not None else active()
    kept: list[Action] = []
    created: dict[tuple[str | None, str], Action] = {}
    completed: set[str] = set()  # names the command says by their first part (_whole_name)
    backups_read: set[tuple] = set()  # backups of kinds that take none, read as changes
    if actions and NOT_A_REQUEST.search(facts.text.lower()):
        warnings.append("the command says it asks for nothing (a note or a thank-you): nothing to do")
        return []
    if _only_asks(facts.text) and any(a.type != ActionType.show for a in actions):
        # "is the shipment-status topic encrypted?": a question changes nothing; listing is
        # all a question gets
        warnings.append("the command is a question: nothing changes")
        actions = [a for a in actions if a.type == ActionType.show]
        if not actions:
            return []
    actions = _one_per_stack_said(actions, facts, specs, warnings)
    for index, action in enumerate(actions):
        if (action.type == ActionType.delete and not facts.destructive and not facts.injected and action.name
                and DROPPED_TO.search(facts.text.lower())):
            # "drop the formulary-cache to 1 node" written as a delete: a change to the size said
            # (the readings below find it; a change that sets nothing is left out)
            warnings.append(f"read the delete of {action.name!r} as a change: the command drops it to a value")
            action = action.model_copy(update={"type": ActionType.scale, "parameters": Parameters.model_validate(
                {k: v for k, v in action.parameters.set_values().items() if k == "kind"})})
        if action.type == ActionType.delete and (not facts.destructive or facts.injected):
            warnings.append(
                "dropped a delete the command did not ask for in so many words"
                + (" (the command looks like a prompt injection)" if facts.injected else "")
            )
            continue
        if action.type == ActionType.delete and (other := _deleted_in_another_clause(action, actions, facts)):
            # "drop results-batch in staging and dev, results-publisher does the batch now"
            # written with a delete of results-publisher: a name said only in a clause of its
            # own that asks no delete, while the clause that asks names what it deletes
            warnings.append(f"dropped the delete of {action.name!r}: the command asks to delete {other!r}; it "
                            f"says {action.name!r} only in a clause that deletes nothing")
            continue
        if (facts.everything and action.name and action.type in TARGETED and action.type != ActionType.delete
                and not any(spec.find(action.name) for spec in specs.values())
                and _a_word_of_its_kind(action.name, action, registry)):
            # "back up all the databases" written name=database: the kind's word, not a name --
            # the set "all" names (each member, below)
            action = action.model_copy(update={"name": None})
        if _a_key_of_another_create(action, actions, facts, specs, registry):
            # "new lambda refund-notifier ...: python3.12, handler app.handler, 256MB" written with a
            # second create named handler: the word of a value of the other, not a new resource
            warnings.append(f"left out the create of {action.name!r}: the command says {action.name!r} "
                            "of a value of the other resource it creates")
            continue
        action = action.model_copy(update={"stack": _stack(action.stack, facts, default_stack)})
        if (not facts.stacks and facts.stacks_in_names and action.type != ActionType.create and action.name
                and action.stack in specs and not specs[action.stack].find(action.name)
                and len(homes := [s for s in specs if specs[s].find(action.name)]) == 1):
            # "ravensmoor-apps keep 200 and dev-images keep 5" written with dev for both: the
            # stack said inside another's name is not this one's; the one stack it is in
            warnings.append(f"stack {homes[0]}: the only stack with {action.name!r} (the command says no stack "
                            "but inside a name)")
            action = action.model_copy(update={"stack": homes[0]})
        if (said := _stack_said_with_its_name(action, facts, specs, actions)) and said != action.stack:
            # "QA passed 4.13.0 on staging. roll matchmaker-svc in prod to ...": of two stacks
            # said, the one said with the target's name is its
            warnings.append(f"stack {said}: the command says {action.name} in {said}")
            action = action.model_copy(update={"stack": said})
        action = _rule_without_a_group(action, facts, specs, warnings)
        if (action.type == ActionType.monitor and action.name and not ASKS_TO_WATCH.search(facts.text)
                and not {"metric", "threshold"} & set(action.parameters.set_values())):
            # "stale shipment sweeper in staging: run it every 15 minutes" written as a monitor
            # with nothing to watch: the command asks for no alert; a change of it
            warnings.append(f"read a monitor of {action.name!r} with no metric or threshold as a change: "
                            "the command asks for no alert")
            action = action.model_copy(update={"type": ActionType.update})
        if _a_rule_change_of_what_it_deletes(action, facts, specs, registry, actions):
            # "db-access in prod: mysql 3306 rule can go" written as an update of port 3306:
            # the delete of that port's rules
            warnings.append(f"read the change of port {action.parameters.port} on {action.name!r} as the delete "
                            "of that port's rules the command asks for")
            action = action.model_copy(update={"type": ActionType.delete})
        if (action.type == ActionType.backup and action.name and (found := _kind_of(action, specs, registry))
                and not found[0].supports(ActionType.backup) and found[0].supports(ActionType.update)):
            # "fraud-worker +3 and fraud-checks visibility to 2 min" written with a backup of the
            # queue, which has none: a change, if the readings below find what it sets
            backups_read.add((action.name, action.stack))
            action = action.model_copy(update={"type": ActionType.update})
        if _a_backup_said_as_a_change(action, facts, specs, registry):
            # "turn on PITR for refill-idempotency" written as an update of the table that sets
            # nothing: the backup its kind takes (a table's turns point-in-time recovery on)
            warnings.append(f"read the change of {action.name!r}, which sets nothing, as the backup the command asks for")
            action = action.model_copy(update={"type": ActionType.backup, "relative": {},
                                               "parameters": Parameters.model_validate({})})
        if action.type == ActionType.restart and (flag := _a_flag_said_for_a_restart(action, facts, specs, registry)):
            # "turn the abandoned cart nudge back on" written as a restart of the cron job, which
            # has none: the flag the words set
            warnings.append(f"read the restart of {action.name!r}, which takes none, as {flag[0]}={flag[1]} "
                            "as the command says it")
            action = action.model_copy(update={"type": ActionType.update, "parameters": Parameters.model_validate(
                action.parameters.set_values() | {flag[0]: flag[1]})})
        if _an_empty_change_of_what_it_deletes(action, facts, specs, actions):
            # "the driver-pii-key in dev isn't used by anything ... delete it" written as an
            # update that sets nothing: the change the command asks for is the delete
            warnings.append(f"read the change of {action.name!r}, which sets nothing, as the delete the "
                            "command asks for")
            action = action.model_copy(update={"type": ActionType.delete, "relative": {}})
        if action.type == ActionType.delete and action.name and (action.stack, action.name) in created:
            # "a new nlb picking-public-lb ..., and delete the old picking-lb" written as a delete
            # of the new one: nobody makes a resource to delete it in the same breath. The one
            # other resource the command names in full is meant; none or several: refused.
            meant = [n for n in (specs[action.stack].names() if action.stack in specs else [])
                     if facts.mentions(n, exact=True) and all(a.name != n for a in actions)
                     and n not in {str(v) for a in actions for v in a.parameters.set_values().values()}
                     and SECTIONS[specs[action.stack].find(n)[0]][1] == action.resource.value]
            meant = [n for n in meant if not any(o != n and n in o for o in meant)]
            if len(meant) != 1:
                _refuse_target(action, specs, f"it deletes {action.name!r}, which this plan creates")
            warnings.append(f"read the delete of {action.name!r} (which this plan creates) as "
                            f"{meant[0]!r}, the resource the command names")
            action = action.model_copy(update={"name": meant[0]})
        if (action.type == ActionType.create and action.relative and action.name
                and _exists(action, specs, {})):
            # "add one store-sync box" written as a create of store-sync +1: a change by an
            # amount of what is there
            warnings.append(f"read a create of {action.name!r} by an amount as a change of it")
            action = action.model_copy(update={"type": ActionType.update})
        if (action.type == ActionType.create and action.relative and action.name
                and not _exists(action, specs, created)):
            # "+50 GB on the scratch volume" written as a create of "scratch": a change by an
            # amount is of something there, the one resource the command names
            change = action.model_copy(update={"type": ActionType.update})
            there = _named_target(change, facts, specs, created) or _whole_name(change, facts, specs, created)
            if there:
                warnings.append(f"read a create of {action.name!r} by an amount as a change of {there!r}")
                completed.add(there)
                action = change.model_copy(update={"name": there})
        if action.name and not _exists(action, specs, created) \
                and (key := _said_as_value(action.name, facts, registry)):
            # "create a namespace yard owned by yard-team" written as name=yard-team: the value
            # the command gives a key, taken for the name (a create takes the name said after
            # its kind word, _named_after_its_kind; a change, the resource the command names)
            warnings.append(f"{action.name!r} is the {key} the command gives, not a resource's name")
            named_as_value = True
        else:
            named_as_value = False
        if named_as_value and action.type == ActionType.create:
            action = action.model_copy(update={"name": None})
        if (action.type in TARGETED and action.name and not _is_stack_word(action.name, specs)
                and not _exists(action, specs, created)):
            if _is_vocabulary(action.name, registry) or named_as_value \
                    or not facts.mentions(action.name, exact=True):
                # A name that is not there: the command may name the resource in words the
                # model did not copy ("the order events queue"), or the model took another word
                # for the name ("scale api and alert on memory" -> name=memory). The one
                # resource the command does name is meant; none or several, and the checks
                # below refuse. A name the command itself says and that does not exist is
                # refused, never swapped for another -- unless it is the first part of exactly
                # one name ("checkout" for checkout-svc, _whole_name).
                others = frozenset(a.name for j, a in enumerate(actions) if j != index and a.name)
                repaired = _named_target(action, facts, specs, created, others) or _misspelt_name(
                    action, facts, specs, created) or _belonging_to(action, facts, specs, kept, registry) \
                    or _referred_back(action, facts, kept)
                if repaired and repaired != action.name:
                    warnings.append(f"read {action.name!r} as {repaired!r}, the resource the command names")
                    completed.add(repaired)  # said, if not by its name ("its pdb")
                    action = action.model_copy(update={"name": repaired})
            elif whole := _whole_name(action, facts, specs, created):
                warnings.append(f"read {action.name!r} as {whole!r}, the one {action.resource.value} "
                                "resource whose name starts with it")
                completed.add(whole)
                action = action.model_copy(update={"name": whole})
            elif action.type != ActionType.delete and (made := _made_ending_in(action, facts, created)):
                # "queue exception-triage ..., and alert if triage messages get older than 30
                # minutes": the one resource the plan makes whose name ends in the word
                warnings.append(f"read {action.name!r} as {made!r}, which the plan makes")
                completed.add(made)
                action = action.model_copy(update={"name": made})
            elif meant := _misspelt_name(action, facts, specs, created):
                warnings.append(f"read {action.name!r} as {meant!r}: the command says its name with a slip")
                completed.add(meant)
                action = action.model_copy(update={"name": meant})
            elif not _typed_as_is(action.name, facts) and action.type != ActionType.delete \
                    and (meant := _said_sharing_a_part(action, facts, specs, created)):
                # "the arena game servers" copied as arena-game: the one resource the command
                # names (arena-gs, its parts said as words or initials), sharing a part with it;
                # of its type, or of any where none of its type is named (written kind=instance)
                warnings.append(f"read {action.name!r} as {meant!r}, the resource the command names")
                completed.add(meant)
                action = action.model_copy(update={"name": meant})
            elif not _typed_as_is(action.name, facts) \
                    and (longer := _longer_name_said(action, facts, specs, anywhere=True)) and (
                    action.type != ActionType.delete or facts.mentions_loosely(longer, typos=False)):
                # "the stale shipment sweeper" copied as shipment-sweeper, which is not there:
                # every time the command says it, it says the longer name that is (a delete's
                # said in full, if abbreviated: "delete courier-partner-creds" copied as
                # partner-creds, "the track page ingress" as track-page for track-page-ing)
                warnings.append(f"read {action.name!r} as {longer!r}: the command names the longer one")
                completed.add(longer)
                action = action.model_copy(update={"name": longer})
        if (action.type in (ActionType.update, ActionType.scale) and action.name and not action.relative
                and not set(action.parameters.set_values()) - {"kind"} - _unsaid_numbers(action.parameters.set_values(), facts)
                and (owned := _belonging_to(action, facts, specs, kept, registry)) and owned != action.name):
            # "bump checkout-svc to 12 and raise its hpa floor to 12" written with an empty
            # change of the namespace checkout: the resource of the kind said that is its
            warnings.append(f"read {action.name!r} as {owned!r}: the command says it by its owner and kind")
            completed.add(owned)
            action = action.model_copy(update={"name": owned})
        longer = _longer_name_said(action, facts, specs) if action.name and action.type in TARGETED else None
        if longer and (action.type == ActionType.delete or (
                action.type == ActionType.update and not set(action.parameters.set_values()) - {"kind"}
                and not action.relative) or not set(_words(longer)[len(_words(action.name)):]) & (
                _METRIC_WORDS | _FUNCTION_WORDS)):
            # (and an update that says nothing to change on the shorter one: "set
            # FEED_TTL_SECONDS in the feed builder config to 1800" written as feed-builder)
            # "delete the edi gateway role" written as a delete of the instance edi-gateway:
            # every time the command says edi-gateway it says edi-gateway-role; "alert on billing
            # db cpu" is billing-db, not the namespace billing. Not where the more is a metric's
            # word: "monitor api memory" names api and its metric, not the alert api-memory
            warnings.append(f"read {action.name!r} as {longer!r}: the command names the longer one")
            action = action.model_copy(update={"name": longer})
        action = _read_relative(action, facts, specs, registry)
        action = action.model_copy(update={"parameters": _params(action.parameters, facts, warnings, action.name)})
        # (again once the values the command does not say are gone: "gtfs-feed-api prod -1"
        # written with a made-up image is a change of nothing but the amount)
        action = _an_amount_for_a_change_of_nothing(action, facts, specs, registry)
        action = _on_aws(action)
        if action.name and _is_stack_word(action.name, specs):
            # "delete all production databases": the stack taken for a name, not a target
            action = action.model_copy(update={"name": None})
        elif action.name and action.type == ActionType.create and _conventional(action.name, facts, name_prefixes):
            warnings.append(f"the name {action.name!r} follows this repository's naming convention "
                            f"({_conventional(action.name, facts, name_prefixes)!r} + the name said), "
                            "learned from reviewers' corrections")
        if (action.name and action.type != ActionType.create and action.name not in completed
                and action.type != ActionType.delete and not facts.mentions_loosely(action.name)
                and _said_in_part(action, facts, specs, created)):
            # "bump picking by 2" written as picking-svc: the one resource whose name starts
            # with the part said (as _whole_name reads it the other way round)
            completed.add(action.name)
        elif (action.name and action.type != ActionType.create and action.stack in specs
                and not specs[action.stack].find(action.name) and not any(a.name == action.name for a in created.values())
                and (whole := _the_one_ending_in(action.name, action, facts, specs, registry))):
            # "portal -> 12" written name=portal: the one resource named with it that takes the change
            warnings.append(f"read {action.name!r} as {whole!r}: of the resources named with it, the one that "
                            f"takes the {action.type.value}")
            action = action.model_copy(update={"name": whole})
            completed.add(whole)
        elif (action.name and action.type != ActionType.create and action.name not in completed
                and not facts.mentions_loosely(action.name) and _said_by_its_last_part(action, facts, specs, registry)):
            warnings.append(f"read {action.name!r} for {_words(action.name)[-1]!r}: of the resources named with it, "
                            f"the one that takes the {action.type.value}")
            completed.add(action.name)
        # "edi gateway boxes in prod: go to 3 instances, the new retailer sends 10x": a plain
        # word of the sentence, the name of nothing, written as the target
        a_word = _a_word_not_a_name(action, facts, specs, created, registry)
        if (action.name and action.type != ActionType.create and action.name not in completed
                and (a_word or not (facts.mentions(action.name, exact=True) or said_as_its(action, facts, specs, registry)
                                    if action.type == ActionType.delete
                                    else facts.mentions_loosely(action.name, kind_first=True)))):
            others = frozenset(a.name for j, a in enumerate(actions) if j != index and a.name)
            meant = (_named_target(action, facts, specs, created, others)
                     or _belonging_to(action, facts, specs, kept, registry)) \
                if action.type not in (ActionType.delete, ActionType.monitor) else (
                    _record_named_by_host(action, facts, specs, created) if action.type == ActionType.delete else None)
            by_its_parts = None
            if not meant and a_word and action.type not in (ActionType.delete, ActionType.monitor):
                # (both of its parts said: a reading of the name, whatever the action sets)
                meant = by_its_parts = _said_with_its_last_part(action, facts, specs, created)
            if meant and a_word and not _said_before(meant, action.name, facts):
                # "scale checkout to 3 like dispatch-svc": the word taken is the subject, the
                # resource named after it a comparison; only a word after the resource named
                # is one of the reason's ("edi gateway boxes to 3, the new retailer sends 10x")
                meant = None
            if meant and len(actions) == 1 and action.type != ActionType.delete and meant != by_its_parts \
                    and not _takes_the_values(action, meant, specs, registry):
                # one action: the resource the command names is meant only where what the
                # action sets is what that resource takes ("MAX_STOPS_PER_ROUTE should be 26 in
                # the prod dispatch config" written on dispatch-svc), not a name said as the
                # reason ("move the invoice run to 3am, the shipments db backup overlaps")
                meant = None
            if meant and meant not in others:
                # "audio-eks max to 20 and the playback hpa max to 32" written with the second
                # on ad-stitcher (from "ad spots"): in a plan of several actions, the one
                # resource the command names that no other action takes is this one's
                if meant != action.name:
                    warnings.append(f"read {action.name!r} as {meant!r}: the command names it, not {action.name!r}")
                action = action.model_copy(update={"name": meant})
            elif a_word and _another_stands(actions, index, specs) and (
                    not _first_part_of_a_name(action.name, specs) or _nothing_said_after(action, facts)):
                # "season 4 launches thursday ... bump the matchmaker by 4" written with a scale
                # of "season" beside the matchmaker's: in a plan of several actions, a plain
                # word of the sentence that names nothing is left out, by name, and the rest
                # goes on (alone, it is refused below as not there)
                warnings.append(f"left out the {action.type.value} of {action.name!r}: a word of the "
                                "command, not the name of anything in the stacks")
                continue
            elif a_word:
                # no resource the command names takes it: refused below as not there (so is the
                # first part of a name: "restart matchmaker and lobby" may mean lobby-svc)
                pass
            elif action.type in TARGETED and (fit := _the_one_named_that_takes_them(action, facts, specs, registry)):
                # "labs-partner-nlb: also allow 192.0.2.0/24" written as a change of a firewall
                # idexx-ingress that is not there: the one resource the command names whose kind
                # takes every value the change sets
                warnings.append(f"read {action.name!r} as {fit[0]!r}: the command names it, and it takes what "
                                "the action changes")
                action = action.model_copy(update={"name": fit[0], "stack": action.stack or fit[1]})
            elif action.type in TARGETED and action.type != ActionType.delete and any(
                    j != index and a.name and a.name != action.name and (a.type, a.parameters, a.relative)
                    == (action.type, action.parameters, action.relative) and facts.mentions_loosely(a.name)
                    for j, a in enumerate(actions)):
                # "add two more replicas to fares-api" written with the same +2 on fares-worker
                # too: a copy of a change the command asks of one resource, onto one it never
                # names, is the model running on; left out, by name
                warnings.append(f"left out the {action.type.value} of {action.name!r}: the command does not "
                                "name it; the same change of the one it names stands")
                continue
            elif action.type in (ActionType.update, ActionType.scale) and _another_stands(actions, index, specs) \
                    and not _says_any_value(action, facts):
                # "tariff-cache -> cache.r6g.large, rate engine is evicting like crazy" written with
                # a change of ev-charge-api, engine=redis: a change the command neither names nor
                # says a value of, beside an action that stands, is the model running on; left out
                warnings.append(f"left out the {action.type.value} of {action.name!r}: the command names it "
                                "nowhere and says none of what it sets")
                continue
            elif action.type in TARGETED and (said := _the_one_said_with_its_kind_word(action, facts, specs, registry)):
                # "delete the warehouse kms key in prod" written on warehouse-exports (a bucket the
                # command never names): the one resource of the stack said by its exact name and
                # its kind's word right after it. A delete too: it is named as exactly as can be
                warnings.append(f"read {action.name!r} as {said!r}: the command says {said!r} and its kind's word")
                action = action.model_copy(update={"name": said})
            elif action.type in TARGETED and _one_of_all_said(action, facts, specs, registry):
                # "back up all the databases in staging" written one action per database: each
                # is one of the set the command names ("all" with the kind's word), in its stack
                pass
            elif action.type in TARGETED:
                # The model named a resource the command never names (copied from an example,
                # or the nearest existing one): acting on it would be a confident wrong answer.
                _refuse_target(action, specs, f"the command does not name {action.name!r}")
            else:
                action = action.model_copy(update={"name": None})
        elif action.name and action.type == ActionType.create and not facts.mentions_loosely(action.name, typed_wins=False) \
                and not _conventional(action.name, facts, name_prefixes):
            action = action.model_copy(update={"name": None})
        elif action.name and action.type == ActionType.create and (place := _named_as_its_place(action, facts, specs, registry)):
            # "configmap gis-config on core-eks" written name=core-eks: the cluster it goes on,
            # not the new thing's name (that is read from the words, _named_as_said)
            warnings.append(f"{action.name!r} is the {place} the command puts it on, not its name")
            params = action.parameters.set_values()
            action = action.model_copy(update={"name": None, "parameters": Parameters.model_validate(
                params if place in params else params | {place: action.name})})
        elif action.name and action.type == ActionType.create and _a_word_of_a_kind_said(action.name, facts, registry):
            # "an autoscaler and a disruption budget" written with name=disruption
            warnings.append(f"{action.name!r} is a word of the kind the command asks for, not a name it "
                            "gives: the new resource takes a name of its own")
            action = action.model_copy(update={"name": None})
        elif action.name and action.type == ActionType.create and _said_as_purpose(action.name, facts):
            # "a new firewall for the prometheus federation": what it is for, not its name
            warnings.append(f"{action.name!r} is what the new resource is for, not a name the "
                            "command gives it: it takes the kind's default name")
            action = action.model_copy(update={"name": None})
        if (action.type == ActionType.create and len(facts.said_names) == 1
                and action.name != facts.said_names[0]
                and not (action.name and _conventional(action.name, facts, name_prefixes))
                and not _is_stack_word(facts.said_names[0], specs)
                and sum(a.type == ActionType.create for a in actions) == 1):
            # "a bucket named invoices" written as name=bills (or no name): the one name the
            # command gives after "named"/"called" is the name of the one thing it creates
            action = action.model_copy(update={"name": facts.said_names[0]})
        if action.type in TARGETED and not action.name:
            if facts.everything and action.stack in specs:
                # "delete all production databases": the command names the set itself, so
                # the action becomes one per member, each named in the plan a reviewer reads.
                members = _members(action, specs[action.stack])
                if not members:
                    _refuse_target(action, specs, f"there is no {action.resource.value} resource to act on")
                for name in members:
                    named = action.model_copy(update={"name": name})
                    if named not in kept:
                        kept.append(named)
                continue
            # No pick by elimination ("the only database", "the dev cluster"): a change to an
            # existing resource needs the command to name it (DESIGN.md). Named it is: "devboxes
            # in dev should be t3.xlarge" written without a name is of the one resource of the
            # action's kind in its stack that the command names (not a delete: that one is said
            # by its name or refused)
            if action.type != ActionType.delete and (said := _the_one_of_its_kind_said(action, facts, specs, registry,
                                                                                         kept)):
                warnings.append(f"read as {said!r}: the one {action.resource.value} resource the command names")
                action = action.model_copy(update={"name": said})
            else:
                _refuse_target(action, specs, "the command names no existing resource to act on")
        if (action.type in (ActionType.scale, ActionType.update, ActionType.restart) and action.name
                and action.stack in specs and not _exists(action, specs, created)
                and (meant := _said_by_first_part_and_kind(action, facts, specs, created))):
            # "seatmap ingress on dev should use the nginx class" written as seatmap-ingress: the
            # one resource the command names, by its first part and its kind's word (seatmap-ing)
            warnings.append(f"read {action.name!r} as {meant!r}: the command names it, not {action.name!r}")
            action = action.model_copy(update={"name": meant})
        if (made := _another_of_what_the_plan_makes(action, facts, specs, created)) is not None:
            # "create ecr repo reminders-images in staging keeping 20, and one in prod keeping 60"
            # written with an update in prod: another create, in that stack
            warnings.append(f"read the {action.type.value} of {action.name!r} in {action.stack} as another create: "
                            f"the command asks for one there too")
            kind = {"kind": made.parameters.kind} if made.parameters.kind else {}
            action = action.model_copy(update={"type": ActionType.create, "resource": made.resource,
                                               "parameters": Parameters.model_validate(
                                                   kind | action.parameters.set_values())})
        if (action.type in (ActionType.update, ActionType.scale) and action.name and action.changed_keys()
                and action.parameters.kind and not action.relative
                and not _exists(action, specs, created) and not any(s.find(action.name) for s in specs.values())
                and (re.search(rf"\b(?:add|create|new|set\s+up|spin\s+up|stand\s+up|provision)\s+(?:an?\s+|the\s+)?"
                               rf"(?:[\w-]+\s+){{0,2}}?{re.escape(action.name)}(?![\w-])", facts.text.lower())
                     or _described_as_new(action, facts, specs, registry))):
            # "add dkim-dns in prod, CNAME ..." written as an update of a name that is nowhere:
            # the command makes it
            warnings.append(f"read the {action.type.value} of {action.name!r} as its create: it is not there, "
                            "and the command makes it")
            action = action.model_copy(update={"type": ActionType.create})
        if (action.type in (ActionType.update, ActionType.scale) and action.name
                and not _exists(action, specs, created) and not any(s.find(action.name) for s in specs.values())
                and _another_stands(actions, index, specs)
                and (not _changed_as_said(action, facts) or _a_copy_of_a_change_said_once(action, actions, index, facts))):
            # "scale ticketing-web down to 2, traffic dropped since the fare-free week ended"
            # written with a second scale of "fare-free" by the same 2, or "support desk +1 pod,
            # fare increase emails are pouring in" with "fare" +8: beside a change that stands, a
            # change on a name that is nowhere, which sets nothing the command says of it, is the
            # model's, left out
            warnings.append(f"left out the {action.type.value} of {action.name!r}: it sets nothing the command "
                            "says of it, and nothing of that name is in the stacks")
            continue
        if (action.type in TARGETED and action.name and action.stack in specs
                and not _exists(action, specs, created)
                and (meant := _the_one_said_with_its_kind_word(action, facts, specs, registry))):
            # "delete the cms dns record in staging" written cms-dns: the record is cms, said
            # whole and followed by its kind's word (a delete too: the name is said exactly)
            warnings.append(f"read {action.name!r} as {meant!r}: the command says {meant!r} and its kind's word")
            action = action.model_copy(update={"name": meant})
        if action.type in TARGETED and (others := _said_alike(action, facts, specs)):
            # "restart the arrivals deployment" with arrivals-api and arrivals-predictor there:
            # the first part said with a generic word fits both; which one is not said
            raise InterpretError(
                f"cannot {action.type.value} {action.name!r}: the command names it only by its first part "
                f"and a generic word, which fits {', '.join(repr(n) for n in others)} too",
                hint=f"name it in full: {', '.join([action.name, *others])}")
        _check_exists(action, specs, created)
        if action.stack is None and action.name and action.type in TARGETED:
            # "restart the order worker": a name that exists in one stack only says where. A
            # delete too: the command names the one resource of that name there is; a name in
            # several stacks stays without one (the plan asks which)
            homes = [s for s, spec in specs.items() if spec.find(action.name)]
            if len(homes) == 1:
                warnings.append(f"stack {homes[0]}: the only stack with {action.name!r}")
                action = action.model_copy(update={"stack": homes[0]})
            elif len(homes) > 1 and (where := _stack_of_what_else_is_named(action, facts, specs, homes)):
                # "restart the solver engine deployment on the batch cluster": solver-engine is
                # in every stack, the batch cluster (batch-eks) in prod only
                warnings.append(f"stack {where[0]}: the only stack with {where[1]!r}, which the command names")
                action = action.model_copy(update={"stack": where[0]})
        action = _resource_from_spec(action, specs, created)
        if other := _the_one_named_that_takes_it(action, facts, specs, registry):
            warnings.append(f"read {action.name!r} as {other!r}: {action.name!r} does not take what the action "
                            f"changes, {other!r} (which the command names) does")
            action = _resource_from_spec(action.model_copy(update={"name": other}), specs, created)
        if action.stack is None and action.name and not facts.stacks:
            # "add two to the hpa floor for inventory-hold", no stack said: the one stack whose
            # resource of the kind said takes it (inventory-hold is everywhere, its hpa in prod)
            homes = [s for s in specs if specs[s].find(action.name) and _the_one_that_takes_it(
                action.model_copy(update={"stack": s}), facts, specs, registry, kept)]
            if len(homes) == 1:
                warnings.append(f"stack {homes[0]}: the only stack where {action.name!r} has what the action changes")
                action = action.model_copy(update={"stack": homes[0]})
        if other := _the_one_that_takes_it(action, facts, specs, registry, kept):
            warnings.append(f"read {action.name!r} as {other!r}: {action.name!r} has none of what the action "
                            f"changes, its {other!r} (said by its kind) has")
            action = _resource_from_spec(action.model_copy(update={"name": other}), specs, created)
        action = _alarm_already_there(action, facts, specs, registry, warnings)
        action = fit_to_kind(action, specs, registry, created, facts)
        action = _values_its_kind_takes(action, specs, registry, warnings, numbers=False)
        action = _named_for_its_target(action, specs, registry, warnings)
        action = _said_target(action, facts, specs, registry, created, warnings)
        action = _said_values(action, facts, specs, registry)
        if (action.relative and not set(action.parameters.set_values()) - {"kind"}
                and (found := _kind_of(action, specs, registry)) is not None
                and not set(action.relative) & set(found[0].parameters()) and _another_stands(actions, index, specs)):
            # "concurrency policy Forbid, two runs overlapped and doubled the parquet files"
            # written with a second action, read_capacity=*2 on the cron job: a change of
            # nothing but keys its kind has nowhere, beside an action that stands, is left out
            warnings.append(f"left out the {action.type.value} of {action.name!r} by "
                            f"{', '.join(f'{k} {v}' for k, v in action.relative.items())}: {found[0].name} has no "
                            f"{', '.join(action.relative)}")
            continue
        action = resolve_relative(action, specs, registry, warnings)
        if action.type == ActionType.create and action.name:
            created[(action.stack, action.name)] = action
        if action not in kept:
            kept.append(action)
    kept = _taken_back(kept, facts, warnings)
    kept = _add_said_ends(kept, facts, specs, registry)
    kept = _ordinal_sizes(kept, facts, specs, registry, warnings)
    kept = _creates_of_what_is_there(kept, facts, specs, registry, warnings)
    kept = _without_old_values(kept, facts, warnings)
    kept = _not_the_value_it_has(kept, facts, specs, registry, warnings)
    kept = _keys_by_phrase(kept, facts, specs, registry, warnings)
    kept = _said_metrics(kept, facts, specs, registry, warnings)
    kept = _an_alerts_new_metric(kept, facts, specs, registry, warnings)
    kept = _not_the_old_value(kept, facts, specs, registry, warnings)
    kept = _utilisation_targets(kept, facts, specs, registry, warnings)
    kept = _said_units(kept, facts, specs, registry, warnings)
    kept = _key_by_its_value_now(kept, facts, specs, registry, warnings)
    kept = _said_literals(kept, facts, specs, registry, warnings)
    kept = _images_named_after_them(kept, facts, specs, registry, warnings)
    kept = _intro_words_are_no_values(kept, specs, registry, warnings)
    kept = _spelt_as_said(kept, facts, specs, registry, warnings)
    kept = _introduced_values(kept, facts, specs, registry, warnings)
    kept = _same_as_another(kept, facts, specs, registry, warnings)
    kept = _references_said_as_such(kept, facts, specs, registry, warnings)
    # the readings above can make two actions the model wrote differently the same
    kept = [a for i, a in enumerate(kept) if a not in kept[:i]]
    kept = _within_another(kept, specs, registry, warnings, facts.text)
    kept = _stacks_per_value(kept, facts, specs, warnings)
    kept = _values_per_stack(kept, facts, specs, registry, warnings)
    kept = _one_create_per_name(kept, facts, registry, warnings)
    kept = _the_same_change_in_another_stack(kept, facts, specs, registry, warnings)
    kept = _one_create_in_each_stack_listed(kept, facts, specs, warnings)
    kept = _lists_in_one(kept, warnings)
    kept = _into_its_create(kept, warnings)
    kept = _without_no_op_values(kept, facts, specs, registry, warnings)
    kept = _unasked_monitors(kept, facts, warnings)
    kept = _watched_as_said(kept, facts, specs, registry, warnings)
    kept = _alarms_asked_for(kept, facts, specs, registry, warnings)
    kept = _each_alarm_listed(kept, facts, specs, registry, warnings)
    kept = _names_as_written(kept, facts, specs, warnings)
    kept = _groups_named_as_such(kept, facts, specs, registry, warnings)
    kept = _named_after_its_kind(kept, facts, specs, registry, warnings)
    kept = _named_as_said(kept, facts, specs, registry, warnings)
    kept = _each_named(kept, facts, specs, warnings)
    kept = _versions_as_images(kept, facts, specs, registry, warnings)
    kept = _values_from_words(kept, facts, specs, registry, warnings)
    kept = _pointed_at(kept, facts, specs, registry, warnings)
    kept = _the_key_of_the_change_before(kept, facts, specs, registry, warnings)
    kept = _another_metric_of_what_an_alert_watches(kept, facts, specs, registry, warnings)
    kept = _the_verb_said_of_both(kept, facts, specs, registry, warnings)
    if not _only_asks(facts.text):  # a question asks for no restart ("is it safe to restart ...?")
        kept = _said_restarts(kept, facts, specs, registry, warnings)
    kept = _backup_of_what_it_makes(kept, facts, specs, registry, warnings)
    kept = _referrers_deleted_first(kept, specs, registry, warnings)
    kept = _one_change_of_a_key(kept, facts, specs, registry, warnings)
    kept = _without_copied_values(kept, specs, registry, warnings)
    kept = _values_said_for_one(kept, facts, warnings)
    kept = _one_change_per_resource(kept, warnings)
    kept = _backups_first(kept, facts, warnings)
    if facts.rule_only and any(a.type == ActionType.delete and a.parameters.port is None for a in kept):
        # "close port 22 on bastion-ssh": a rule's delete, never the whole group's
        warnings.append("dropped a delete of a whole resource: the command closes a port")
        kept = [a for a in kept if a.type != ActionType.delete or a.parameters.port is not None]
    for action in kept:
        _in_the_stacks_region(action, specs)
    # what the readings after the loop added is held to the kinds' specs as the model's was
    # a backup read as a change that the readings found nothing for is the backup it was (the
    # edit refuses it by name)
    kept = [a.model_copy(update={"type": ActionType.backup}) if (a.name, a.stack) in backups_read
            and a.type == ActionType.update and not a.changed_keys()
            else a for a in kept]
    warnings.extend(f"read the backup of {a.name!r}, which takes none, as the change the command says"
                    for a in kept if (a.name, a.stack) in backups_read and a.type == ActionType.update)
    kept = [_keys_its_kind_takes(_values_its_kind_takes(a, specs, registry, warnings), specs, registry, warnings, facts)
            for a in kept]
    kept = [_without_its_targets_cluster(a, kept, specs, registry, facts.text) for a in kept]
    return _without_repeats(kept)


def _without_its_targets_cluster(action: Action, kept: list[Action], specs: dict[str, StackSpec],
                                 registry, text: str | None = None) -> Action:
    """A new budget, autoscaler, ingress or load balancer service is made on its target's
    cluster (the edit sets it from the target): a cluster written beside the target that is the
    target's says nothing more, and is left out ("add a pdb for the slot planner" after "ops
    cluster in prod: min 5 nodes" written cluster=ops). Another cluster stays, for the edit to
    refuse: a Kubernetes object reaches only what is on its own cluster."""
    params = action.parameters.set_values()
    if action.type != ActionType.create or not {"cluster", "target"} <= set(params):
        return action
    found = _kind_of(action, specs, registry)
    if found is None or found[0].references.get("target") != "deployments" or "cluster" not in found[0].references:
        return action
    target = params["target"]
    spec = specs.get(action.stack)
    there = spec.section("deployments").get(target) if spec is not None else None
    made = next((a for a in kept if a.type == ActionType.create and a.name == target and a.stack == action.stack), None)
    clusters = {getattr(there, "cluster", None), made.parameters.set_values().get("cluster") if made else None} - {None}
    if clusters != {params["cluster"]}:
        return action
    if text is not None and not any(a.name == params["cluster"] or a is not action and a.parameters.set_values().get(
            "cluster") == params["cluster"] for a in kept) and re.search(
            rf"\b(?:on|in|onto|cluster[:=]?)\s+(?:the\s+)?{re.escape(params['cluster'])}(?![\w-])", text.lower()):
        return action  # "ingress x on ops-eks", "..., cluster reader-eks": said of this one, and no other action's cluster
    del params["cluster"]
    return action.model_copy(update={"parameters": Parameters.model_validate(params)})


def _keys_its_kind_takes(action: Action, specs: dict[str, StackSpec], registry, warnings: list[str],
                         facts: CommandFacts | None = None) -> Action:
    """A key no action of the action's kind takes ("every 15 minutes" written min_available=15
    on a cron job, beside the schedule read from the words): left out with a warning, after every
    reading that could move it to the key that takes it (_keys_by_phrase, _values_its_kind_takes).
    Kept, the edit would refuse the whole plan for it ("cannot set min_available on cron_jobs");
    an action left with nothing to set is still refused there."""
    from agentops.edit import IGNORED_KEYS

    if action.type not in (ActionType.create, ActionType.update, ActionType.scale, ActionType.delete):
        return action  # (a monitor's metric and threshold are the alarm's, not the kind's)
    found = _kind_of(action, specs, registry)
    if found is None or not found[0].supports(action.type):
        return action
    kind = found[0]
    # (a kind's own update may take a key of its create: a move; a delete takes what picks the
    # part it deletes, a rule's port, a config map's key, and nothing else)
    takes = set(kind.fields_for("delete")) if action.type == ActionType.delete else set(kind.parameters())
    params = action.parameters.set_values()
    foreign = [k for k in params if k not in takes and k not in IGNORED_KEYS]
    if action.type == ActionType.delete and foreign:
        # "delete portal-bff-hpa in dev, one pod is plenty" written with min_size=1 max_size=1
        warnings.append(f"left out {', '.join(f'{k}={params.pop(k)!r}' for k in foreign)}: a delete of "
                        f"{action.name!r} sets nothing")
        return action.model_copy(update={"parameters": Parameters.model_validate(params)})
    if not foreign:
        return action
    counted = [k for k in ("count", "replicas") if k in takes]
    scaled = kind.fields_for("scale") if kind.supports(ActionType.scale) else {}
    if len(counted) == 2 and scaled.get("count") and scaled.get("count") == scaled.get("replicas"):
        counted = ["count"]  # (two words for one field: a cache's nodes)
    counted = [k for k in counted if k not in params]
    for key in foreign:
        value = params.pop(key)
        if (key in _SIZE_KEYS and len(counted) == 1 and isinstance(value, (int, float)) and not isinstance(value, bool)
                and kind.count_nouns and facts is not None and re.search(
                    rf"(?<![\w.]){_fmt(float(value))}\s+(?:{'|'.join(re.escape(n) for n in kind.count_nouns)})\b",
                    facts.text.lower())):
            # "arrivals-cache prod to 5 nodes" written max_size=5 on a cache, which has no range:
            # the number said with what the kind counts is its count
            warnings.append(f"read {key}={value!r} as {counted[0]}: {kind.name} has no {key}, and the command "
                            f"counts {value!r} of what it counts")
            params[counted.pop()] = value
            continue
        warnings.append(f"{key}={value!r} is not a key of {kind.name}: left out")
    return action.model_copy(update={"parameters": Parameters.model_validate(params)})


# the keys of how many, one way or another (a kind with no range takes its count)
_SIZE_KEYS = frozenset({"count", "replicas", "min_size", "max_size", "desired_size"})


def _without_repeats(actions: list[Action]) -> list[Action]:
    """The plan with an action that repeats an earlier one (same change of the same resource,
    whatever its description says) left out: "the mysql 3306 rule can go" written as a delete
    and as a change of that port, which reads as the same delete."""
    seen, out = set(), []
    for action in actions:
        key = action.model_dump_json(exclude={"description"})
        if key not in seen:
            seen.add(key)
            out.append(action)
    return out


# words of a sentence that are parts of some names too (store-sync-in): "store sync in prod"
# does not say store-sync-in
_FUNCTION_WORDS = frozenset({"in", "on", "at", "to", "of", "for", "and", "the", "a", "by", "up", "out", "off"})
_METRIC_WORDS = frozenset(w for words in ENUM_WORDS["metric"].values() for w in words) | set(ENUM_WORDS["metric"])


def _values_its_kind_takes(action: Action, specs: dict[str, StackSpec], registry, warnings: list[str],
                           numbers: bool = True) -> Action:
    """A text value its kind's spec would refuse ("service=aws:policy/AmazonEC2...", copied
    from the policy ARN; "policies=yet", from "no policies yet"): not the value the command
    says, so it is left out (a reader of the command's words may still find the right one,
    _values_from_words). Checked by the kind's own spec model, field by field. `numbers`: a
    number written under a text key too (not yet, while a reading may move it to the key
    whose words say it: "20 concurrent executions" written as handler=20, _keys_by_phrase)."""
    found = _kind_of(action, specs, registry)
    if found is None or not found[0].supports(action.type):
        return action
    kind = found[0]
    mapping = kind.actions.get(action.type.value)
    fields = getattr(mapping, "fields", None) or {}
    params = action.parameters.set_values()
    dropped = []
    for key, value in params.items():
        field = fields.get(key)
        if not field and key != "kind" and any(k != key and k in fields and str(v) == str(value)
                                               for k, v in params.items()):
            # "max party size ... -> 5" written max_size=5 on a config map, its value read as
            # the entry MAX_PARTY_SIZE=5: the same number under a key the kind has not
            dropped.append(key)
            continue
        if not field or field not in kind.model.model_fields or not isinstance(value, (str, list)):
            continue
        if not numbers and re.fullmatch(r"\d+", str(value)):
            continue
        annotation = kind.model.model_fields[field].annotation  # list[str], or list[str] | None
        listed = list in (typing.get_origin(annotation), *map(typing.get_origin, typing.get_args(annotation)))
        said = [value] if isinstance(value, str) and listed else value
        try:
            kind.model.__pydantic_validator__.validate_assignment(kind.model.model_construct(), field, said)
        except ValidationError as exc:
            # the field's own checks only: the whole entry's (a function's image or code) are
            # not this value's to pass on an empty model
            if any(e["loc"][:1] == (field,) for e in exc.errors()):
                dropped.append(key)
    if not dropped:
        return action
    for key in dropped:
        warnings.append(f"{key}={params.pop(key)!r} is not a value {kind.name}.{fields[key]} takes: left out"
                        if key in fields else f"{key}={params.pop(key)!r} is not a key of {kind.name}: left out")
    return action.model_copy(update={"parameters": Parameters.model_validate(params)})


def _on_aws(action: Action) -> Action:
    """A provider the command says: the stacks run on AWS (Kubernetes on EKS) and nothing else
    (the edit reads no provider=), so another provider ("a gke cluster", "4 vms on azure") is
    refused by name: made on AWS it would be a confident wrong answer. provider=aws stays in
    the plan as the command said it."""
    provider = action.parameters.provider
    if provider is not None and provider != "aws":
        raise InterpretError(
            f"the command asks for {provider}: agentops's stacks run on AWS only (Kubernetes on EKS)",
            hint=f"ask for it on AWS (an EC2 instance, an EKS cluster), or manage {provider} "
                 "resources with another tool")
    return action


def _stack_of_what_else_is_named(action: Action, facts: CommandFacts, specs: dict[str, StackSpec],
                                 homes: list[str]) -> tuple[str, str] | None:
    """(stack, name) where the command, naming no stack, names one other resource (loosely:
    "the batch cluster" for batch-eks) that is in exactly one of the stacks the action's
    target is in; None where it names none or several such."""
    if facts.stacks:
        return None
    found = set()
    for stack in homes:
        for _, name, _ in specs[stack].resources():
            if name == action.name or not facts.mentions_loosely(name, typos=False, kind_first=True):
                continue
            if [s for s in homes if specs[s].find(name)] == [stack]:
                found.add((stack, name))
    return found.pop() if len(found) == 1 else None


def _in_the_stacks_region(action: Action, specs: dict[str, StackSpec]) -> None:
    """A new resource said to be in another region than its stack's ("a bucket in eu-west-1"
    in a stack in us-east-1) is refused by name: a stack has one AWS provider, and the edit
    makes every resource in its region, so the plan would say one region and apply another."""
    region = action.parameters.region
    if action.type != ActionType.create or not region or action.stack not in specs:
        return
    there = specs[action.stack].region
    if region != there:
        raise InterpretError(
            f"the command asks for {region}, but stack {action.stack} is in {there}: agentops makes "
            "a stack's resources in the stack's region",
            hint=f"leave the region out (it will be {there}), or use a stack in {region}")


def _takes_the_values(action: Action, name: str, specs: dict[str, StackSpec], registry) -> bool:
    """Whether the resource `name` takes every value `action` sets (at least one)."""
    keys = action.changed_keys()
    found = _kind_of(action.model_copy(update={"name": name}), specs, registry)
    if not keys or found is None or found[1] is None:
        return False
    kind = found[0]
    return keys <= {k for a in ("update", "scale") if kind.supports(ActionType(a)) for k in kind.fields_for(a)}


def _a_word_not_a_name(action: Action, facts: CommandFacts, specs: dict[str, StackSpec], created: dict,
                       registry) -> bool:
    """Whether the change's target is one plain word of the command ("retailer", "pdf") that
    names nothing in any stack nor made by the plan: a word of the sentence taken for the
    target. Never for a delete or a create, never a name of several parts typed so (one that does
    not exist is refused as not there, _typed_as_is; "new retailer" written joined is words), never a word said as a name ("the checkout
    deployment", "named checkout"): a missing resource is refused, not read as another."""
    name = action.name
    # (or plain words said one after the other, written joined: "the new retailer" as new-retailer;
    # typed joined, it is a name, refused as not there)
    spaced = " ".join(name.split("-")) if name else ""
    if not (name and action.type not in (ActionType.create, ActionType.delete)
            and re.fullmatch(r"[a-z]+(?:-[a-z]+){0,2}", name)
            and (name in facts.words if "-" not in name else
                 re.search(rf"\b{spaced}\b", " ".join(facts.words))
                 and not re.search(rf"(?<![\w-]){name}(?![\w-])", facts.text.lower())
                 and not set(name.split("-")) & {p for spec in specs.values() for n in spec.names()
                                                 for p in n.split("-")})
            and not any(spec.find(name) for spec in specs.values())
            and not any(n == name for _, n in created)):
        return False
    kind_words = "|".join(sorted({re.escape(w) for k in registry for w in (*k.words, k.noun, *k.kind_values) if w},
                                 key=len, reverse=True))
    # (a kind's word as the verb of the sentence is no kind said: "the svc caches the old chain")
    return not re.search(rf"\b(?:named|called|name)\s+{spaced}\b|\b{spaced}\s+(?:{kind_words})\b"
                         r"(?!\s+(?:the|a|an|its|their|our|it|them|this|that)\b)", facts.text.lower())


def _said_sharing_a_part(action: Action, facts: CommandFacts, specs: dict[str, StackSpec],
                         created: dict) -> str | None:
    """The one resource of the action's stack that the command names and that shares a part
    with the name written: of the action's type, or else of any ("arena game servers" written
    arena-game, kind=instance: arena-gs, though the namespace "gameservers" is said too)."""
    meant = _named_target(action, facts, specs, created)
    parts = set(_words(action.name))
    if meant and set(_words(meant)) & parts:
        return meant
    _, names = _candidates(action.model_copy(update={"type": ActionType.monitor}), specs, created)
    said = [n for n in names if set(_words(n)) & parts and facts.mentions_loosely(n, typos=False, kind_first=True)]
    return said[0] if len(said) == 1 else None


# Words joined by a hyphen that are English, not names ("a dead-letter queue", "read-only")
_COMPOUNDS = frozenset({"dead-letter", "read-only", "read-write", "on-demand", "multi-az", "follow-up",
                        "long-running", "write-through", "x-ray", "built-in", "add-on", "opt-in", "opt-out",
                        "sign-in", "sign-up", "check-in", "log-in", "roll-out", "pay-per-request",
                        "end-to-end", "per-request", "short-lived", "long-lived", "same-day", "next-day",
                        "real-time", "near-real-time", "cross-region", "cross-account", "off-peak", "non-prod",
                        "pre-prod", "e-mail", "up-to-date", "first-party", "third-party", "in-flight",
                        "at-least-once", "exactly-once", "fan-out", "fifo-queue", "self-signed", "hot-fix"})


def _named_as_said(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec], registry,
                   warnings: list[str]) -> list[Action]:
    """"new nightly job in prod: lane-rate-rollup at 1:30am, image .../lane-rate-rollup:1.0.0"
    written with another job's name (left out: the command never says it) or none: a create
    still unnamed after the other readings takes the new name the command says
    (_new_names_said) -- the one there is, for the plan's one create; for one of several, the
    one said right beside a word of its kind ("a payout-jobs queue", "ecr repo payout-images")."""
    creates = [i for i, a in enumerate(kept) if a.type == ActionType.create]
    if not creates or facts.said_names:
        return kept
    out = list(kept)
    lowered = facts.text.lower()
    for i in creates:
        action = out[i]
        found = _kind_of(action, specs, registry)
        if action.name or found is None:
            continue
        new = _new_names_said(facts, specs, out)
        if "target" in found[0].references:
            # (a kind that acts on a target: only a name made of its target's, "(payments-gateway-pdb)"
            # for a pdb of payments-gateway; another new name may be the target itself)
            target = action.parameters.set_values().get("target")
            new = {w for w in new if target and w.startswith(f"{target}-")}
        if len(creates) > 1:
            words = "|".join(re.escape(w) for w in sorted({*found[0].words, found[0].noun, *found[0].kind_values,
                                                            *_KIND_SHORT.get(found[0].name, ())} - {""},
                                                           key=len, reverse=True))
            new = {w for w in new if re.search(rf"(?<![\w-])(?:{words})\s+{re.escape(w)}(?![\w-])"
                                               rf"|(?<![\w-]){re.escape(w)}\s+(?:{words})(?![\w-])", lowered)}
        if len(new) == 1:
            name = new.pop()
            warnings.append(f"named the new {found[0].noun} {name!r}: the new name the command says for it")
            out[i] = action.model_copy(update={"name": name})
    return out


# words of a kind said for it, beyond its own (an ECR repository is a "repo")
_KIND_SHORT = {"registries": ("repo", "ecr repo", "repository", "ecr repository")}


def _new_names_said(facts: CommandFacts, specs: dict[str, StackSpec], actions: list[Action]) -> set[str]:
    """The names of several parts the command says on their own (not inside an image, a host or
    a path) that name nothing in any stack, no action of the plan has as its name or a value,
    and that are no stack, region or English compound."""
    names = {n for spec in specs.values() for n in spec.names()}
    values = {str(v).lower() for a in actions for v in a.parameters.set_values().values()} | {
        a.name for a in actions if a.name}
    said = [m.group(1) for m in re.finditer(r"(?<![\w./:@=-])([a-z][a-z0-9]*(?:-[a-z0-9]+)+)(?![\w/:@=-]|\.\w)",
                                            facts.text.lower())]
    return {w for w in said if w not in names and w not in values and w not in _COMPOUNDS
            and not _is_stack_word(w, specs) and not re.fullmatch(r"[a-z]{2}(?:-gov)?-[a-z]+-\d", w)
            and not any(n.startswith(w + "-") for n in names)}


def _a_key_of_another_create(action: Action, actions: list[Action], facts: CommandFacts,
                             specs: dict[str, StackSpec], registry) -> bool:
    """Whether a create is named with a key of another create of the plan's kind ("handler",
    "runtime"), a name nothing has, that the command says right before a value ("handler
    app.handler"), or with a part of a path the command writes ("service-role/AWSGlue...")
    beside another named create: the word of the other's value, taken for a resource."""
    name = action.name
    if action.type != ActionType.create or not name or any(spec.find(name) for spec in specs.values()):
        return False
    spots = list(re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", facts.text.lower()))
    # (a path goes on after its "/" or ":"; "waitlist-record: waitlist.example.com" is a name said)
    if spots and all(re.match(r"[/:]\S", facts.text[m.end():m.end() + 2])
                     or facts.text[max(0, m.start() - 1):m.start()] in ("/", ":") for m in spots) and any(
            a is not action and a.type == ActionType.create and a.name for a in actions):
        # "..., telematics-glue-role, service-role/AWSGlueServiceRole" written with a create of
        # service-role: a part of a path the command writes, beside the create it asks for
        return True
    for other in actions:
        if other is action or other.type != ActionType.create or not other.name or other.name == name:
            continue
        found = _kind_of(other, specs, registry)
        if found is not None and name.replace("-", "_") in found[0].fields_for("create") and re.search(
                rf"(?<![\w-]){re.escape(name)}\s*[:=]?\s+[\w./:@-]*[./:@_]", facts.text.lower()):
            return True
    return False


def _said_with_its_last_part(action: Action, facts: CommandFacts, specs: dict[str, StackSpec],
                             created: dict) -> str | None:
    """"can payments get a restart? ... the svc caches the old chain" written as svc: the one
    resource of the action's stack and type whose name is a part the command says as a word
    ("payments") and the word written ("svc") as its last part."""
    _, names = _candidates(action, specs, created)
    said = [n for n in names if n.endswith("-" + action.name)
            and n[:-len(action.name) - 1] in facts.words and n != action.name]
    return said[0] if len(said) == 1 else None


def _said_by_its_last_part(action: Action, facts: CommandFacts, specs: dict[str, StackSpec],
                           registry) -> bool:
    """Whether the command names the action's resource by its last part alone ("portal -> 12"
    for student-portal), a word of its own: _the_one_ending_in that word."""
    parts = _words(action.name or "")
    return len(parts) >= 2 and _the_one_ending_in(parts[-1], action, facts, specs, registry) == action.name


def _the_one_ending_in(last: str, action: Action, facts: CommandFacts, specs: dict[str, StackSpec],
                       registry) -> str | None:
    """The one resource of the action's stack whose name ends in the part `last`, said as a
    word of its own, where of every resource of the stack with that part in its name
    (portal-config, portal-hpa) only it takes the action and what it sets (a thing of the
    portal, "portal-hpa", is said with its kind's word). Not for a delete or a create: a
    resource is deleted only by its name."""
    if (action.type in (ActionType.delete, ActionType.create) or len(last) < 4 or not last.isalpha()
            or last in GENERIC_PARTS or last in KIND_PART_WORDS or action.stack not in specs
            or not re.search(rf"(?<![\w-]){last}(?![\w-])", facts.text.lower())):
        return None
    keys = set(action.changed_keys())

    def takes(section: str) -> bool:
        kind = registry[section] if section in registry else None
        return kind is not None and kind.supports(action.type) and keys <= set(kind.fields_for(action.type.value))

    def of_it(name: str) -> bool:
        # "portal-hpa", "portal-cpu": a thing of the portal, said with its kind's or metric's
        # word when it is meant (that word not said: not what "portal" names)
        rest = [p for p in _words(name) if p != last]
        return bool(rest) and all(p in KIND_PART_WORDS or p in GENERIC_PARTS or p in _METRIC_WORDS for p in rest) \
            and not any(w in facts.words for p in rest for w in (p, *KIND_PART_WORDS.get(p, ())))

    fits = [name for section, name, _ in specs[action.stack].resources()
            if last in _words(name) and takes(section) and not of_it(name)]
    return fits[0] if len(fits) == 1 and _words(fits[0])[-1] == last and len(_words(fits[0])) >= 2 else None


def _said_by_first_part_and_kind(action: Action, facts: CommandFacts, specs: dict[str, StackSpec],
                                 created: dict) -> str | None:
    """The one resource of the action's stack and type whose first part is the written name's
    and whose last part is a kind's, said in its words ("seatmap ingress": seatmap-ing, not
    seatmap-cache)."""
    _, names = _candidates(action, specs, created)
    first = _words(action.name)[0]
    said = [n for n in names if _words(n)[0] == first and len(_words(n)) > 1
            and set(KIND_PART_WORDS.get(_words(n)[-1], ())) & set(facts.words)
            and facts.mentions_loosely(n, typos=False, kind_first=True)]
    return said[0] if len(said) == 1 else None


def _the_one_of_its_kind_said(action: Action, facts: CommandFacts, specs: dict[str, StackSpec], registry,
                              kept: list[Action]) -> str | None:
    """The one resource of the action's stack, of its kind (its kind= where written, else its
    resource type), that the command names, loosely as people do ("devboxes" for devbox), and
    no other action of the plan acts on; else None."""
    if action.stack not in specs:
        return None
    wanted = registry.by_kind_value(action.parameters.kind) if action.parameters.kind else None
    acted = {a.name for a in kept if a.name}
    said = [n for section, n, _ in specs[action.stack].resources()
            if section in registry and n not in acted
            and (registry[section] is wanted if wanted else registry[section].resource_type == action.resource)
            and facts.mentions_loosely(n, kind_first=True)]
    return said[0] if len(said) == 1 else None


def _the_one_said_with_its_kind_word(action: Action, facts: CommandFacts, specs: dict[str, StackSpec],
                                     registry) -> str | None:
    """The one resource of the action's stack and resource type that the command says by its
    exact name with a word of its kind right after it ("the warehouse kms key"); else None."""
    if action.stack not in specs:
        return None
    lowered = " ".join(facts.text.lower().split())
    said = []
    for section, name, _ in specs[action.stack].resources():
        kind = registry[section] if section in registry else None
        if kind is None or kind.resource_type != action.resource or name == action.name:
            continue
        if re.search(rf"(?<![\w-]){re.escape(name)}\s+(?:{kind_said(kind, values=False)})(?![\w-])", lowered):
            said.append(name)
    return said[0] if len(said) == 1 else None


def _described_as_new(action: Action, facts: CommandFacts, specs: dict[str, StackSpec], registry) -> bool:
    """Whether a name that is nowhere is said as a new thing of the action's kind: after its
    kind's word ("prod: ecr repo subro-images keeping 25 images"), or named for what it is for,
    with its kind's part ("fraud-scorer-hpa in prod for fraud-scorer: 3 to 9 replicas")."""
    kind = registry.by_kind_value(action.parameters.kind) if action.parameters.kind else None
    if kind is None:
        return False
    lowered, name = " ".join(facts.text.lower().split()), re.escape(action.name)
    words = kind_said(kind)
    if re.search(rf"\b(?:{words})\s+{name}(?![\w-])", lowered):
        return True
    parts = action.name.split("-")
    target = kind.references.get("target")
    return (len(parts) > 1 and parts[-1] in KIND_PART_WORDS and target not in (None, "*")
            and action.stack in specs and any(
                re.search(rf"(?<![\w-]){name}(?![\w-])[^,;.]*?\bfor\s+(?:the\s+)?{re.escape(n)}(?![\w-])", lowered)
                for n in specs[action.stack].section(target)))


def _a_flag_said_for_a_restart(action: Action, facts: CommandFacts, specs: dict[str, StackSpec],
                               registry) -> tuple[str, bool] | None:
    """(key, value) of the one flag the words set ("back on": suspend=False), for a restart of a
    kind that takes no restart and takes that flag in an update; else None."""
    found = _kind_of(action, specs, registry) if action.name else None
    if found is None or found[0].supports(ActionType.restart) or not found[0].supports(ActionType.update):
        return None
    kind, entry = found
    for key in kind.fields_for("update"):
        value = kind.value_from_words(key, facts.text, entry)
        if isinstance(value, bool):
            return key, value
    return None


_BACKUP_SAID = re.compile(r"\b(?:back\s*(?:it\s+)?up|backups?|snapshots?|pitr|point[- ]in[- ]time)\b")


def _a_backup_said_as_a_change(action: Action, facts: CommandFacts, specs: dict[str, StackSpec], registry) -> bool:
    """Whether the action is an update or scale that sets nothing, of an existing resource whose
    kind takes a backup, in a command that says one ("turn on PITR", "take a snapshot")."""
    if action.type not in (ActionType.update, ActionType.scale) or not action.name or action.relative:
        return False
    if set(action.parameters.set_values()) - {"kind"}:
        return False
    found = _kind_of(action, specs, registry)
    return bool(found and found[1] is not None and found[0].supports(ActionType.backup)
                and _BACKUP_SAID.search(facts.text.lower()))


def _first_part_of_a_name(word: str, specs: dict[str, StackSpec]) -> bool:
    """Whether `word` is the first part of some resource's name ("lobby" of lobby-svc)."""
    return any(n.startswith(word + "-") for spec in specs.values() for n in spec.names())


def _another_stands(actions: list[Action], index: int, specs: dict[str, StackSpec]) -> bool:
    """Whether another action of the plan is a create or on a resource that is there (by its
    name or the first part of one: "matchmaker" for matchmaker-svc)."""
    names = {n for spec in specs.values() for n in spec.names()}
    return any(j != index and a.name and (a.type == ActionType.create or a.name in names or any(
        n.startswith(a.name + "-") for n in names)) for j, a in enumerate(actions))


def _named_as_its_place(action: Action, facts: CommandFacts, specs: dict[str, StackSpec], registry) -> str | None:
    """The key ("cluster") under which a create written with the name of an existing resource of
    another kind takes it, where the command says that name as a place ("on core-eks") and the
    new kind refers to that kind by that key; None otherwise."""
    from agentops.edit import create_kind
    from agentops.kinds import EditError

    there = specs[action.stack].find(action.name) if action.stack in specs else None
    if not there or not re.search(rf"\b(?:on|onto|in|into)\s+(?:the\s+)?{re.escape(action.name)}(?![\w-])",
                                  facts.text.lower()):
        return None
    try:
        kind = create_kind(action, action.parameters.set_values(), registry)
    except EditError:
        return None
    if kind.section == there[0]:
        return None
    keys = [k for k, section in kind.references.items() if section == there[0] and k in kind.fields_for("create")]
    return keys[0] if len(keys) == 1 else None


def _nothing_said_after(action: Action, facts: CommandFacts) -> bool:
    """Whether the change sets something and the command says none of its values after the
    word taken for its target ("60 reacts too late when the storm hits", "double X, storm
    texts are throttling": the storm-drill job's first part, a word of the reason): its values
    are another's. Not "restart matchmaker and lobby" (nothing set), nor "... and lobby to 2"."""
    lowered = facts.text.lower()
    at = re.search(rf"(?<![\w-]){re.escape(action.name)}(?![\w-])", lowered)
    if at is None or not action.changed_keys():
        return False
    after = lowered[at.end():]
    values = {k: v for k, v in action.parameters.set_values().items() if k != "kind"}
    if any(isinstance(v, (str, list, bool)) and (isinstance(v, bool) or any(
            str(item).lower() in after for item in (v if isinstance(v, list) else [v]))) for v in values.values()):
        return False  # (a word or a flag: said after it, or a flag, whose saying is not placed)
    numbers = [float(v) for v in values.values() if isinstance(v, (int, float)) and not isinstance(v, bool)]
    for change in action.relative.values():
        if change[:1] in "*/":
            if _FACTOR_WORDS.search(after):
                return False
            continue
        amount = re.search(r"\d+(?:\.\d+)?", change)
        if amount:
            numbers.append(float(amount.group(0)))
    return not any(float(n) in CommandFacts.of(after, list(facts.stacks)).numbers for n in numbers)


def _says_any_value(action: Action, facts: CommandFacts) -> bool:
    """Whether the command says any value the change sets (a relative amount by its number, a
    factor by its word)."""
    lowered = facts.text.lower()
    squeezed = re.sub(r"[^a-z0-9]", "", lowered)
    if any(_said(k, v, facts, lowered, squeezed) for k, v in action.parameters.set_values().items() if k != "kind"):
        return True
    for change in action.relative.values():
        amount = re.search(r"\d+(?:\.\d+)?", change)
        if change[:1] in "*/" or (amount and float(amount.group(0)) in facts.numbers):
            return True
    return False


def _changed_as_said(action: Action, facts: CommandFacts) -> set[str]:
    """The keys the action changes by a value the command says (a relative amount by its
    number: "+8" where no 8 is said is the model's)."""
    said = set(action.parameters.set_values()) - {"kind"} - _unsaid_numbers(action.parameters.set_values(), facts)
    for key, change in action.relative.items():
        amount = re.fullmatch(r"[+-](\d+(?:\.\d+)?)", change)
        if amount is None or float(amount.group(1)) in facts.numbers:
            said.add(key)
    return said


def _a_copy_of_a_change_said_once(action: Action, actions: list[Action], index: int, facts: CommandFacts) -> bool:
    """Whether another action sets the very same values on a resource the command names before
    this one, the two names not said as a list ("ticketing-web down to 2, ... since the
    fare-free week": not "scale a and b to 2"), each number said once: one change, copied."""
    lowered = facts.text.lower()

    def said_at(name: str) -> tuple[int, int]:
        found = re.search(rf"(?<![\w-])(?:{re.escape(name)}|{re.escape(name.replace('-', ' '))})(?![\w-])", lowered)
        return (found.start(), found.end()) if found else (-1, -1)

    mine = said_at(action.name)[0]
    for j, other in enumerate(actions):
        if j == index or not other.name or (other.type, other.parameters, other.relative) != (
                action.type, action.parameters, action.relative):
            continue
        theirs, their_end = said_at(other.name)
        if theirs < 0 or mine < 0 or theirs > mine or listed_between(lowered[their_end:mine]):
            continue
        numbers = [float(v) for v in action.parameters.set_values().values() if isinstance(v, (int, float))
                   and not isinstance(v, bool)]
        numbers += [float(m.group(1)) for m in (re.fullmatch(r"[+-](\d+(?:\.\d+)?)", v) for v in
                                                 action.relative.values()) if m]
        if all(len(re.findall(rf"(?<![\w.]){_fmt(n)}(?![\w.])", lowered)) == 1 for n in numbers):
            return True
    return False


def _a_delete_asked_and_not_written(facts: CommandFacts, actions: list[Action]) -> bool:
    """Whether the command asks to delete (a word not taken back, no injection) and the plan
    the model wrote has no delete: a change in it may be the delete it asks for."""
    return facts.destructive and not facts.injected and not any(a.type == ActionType.delete for a in actions)


def _a_rule_change_of_what_it_deletes(action: Action, facts: CommandFacts, specs: dict[str, StackSpec], registry,
                                      actions: list[Action]) -> bool:
    """Whether the action is an update of a firewall that says a port (and at most its
    protocol) and nothing else, in a plan with no delete, while the command asks to delete (a
    word not taken back: "the mysql 3306 rule can go"): the delete of that port's rules, which
    the firewall's delete takes (never the whole group: it keeps the port)."""
    values = set(action.parameters.set_values()) - {"kind"}
    if (action.type != ActionType.update or not action.name or "port" not in values
            or values - {"port", "protocol"} or not _a_delete_asked_and_not_written(facts, actions)):
        return False
    found = _find(action, specs)
    kind = registry[found[0]] if found and found[0] in registry else None
    return kind is not None and "port" in kind.fields_for("delete")


def _an_empty_change_of_what_it_deletes(action: Action, facts: CommandFacts, specs: dict[str, StackSpec],
                                        actions: list[Action]) -> bool:
    """Whether the action is a scale or update that sets nothing, of a resource that exists, in
    a plan with no delete, while the command asks to delete that very resource: a delete word
    (not taken back: "don't delete") right before "it", "them" or the resource's name, said
    in full ("delete it", "remove the driver-pii-key"). "remove LOG_LEVEL from the config" is
    not of the resource, and stays what it was."""
    params = action.parameters.set_values()
    # (a number the command never says sets nothing: the guard leaves it out later; "delete it"
    # written as an update of port=22. Not one in a unit: "drop the retention to 1 day" is 86400)
    unsaid = {k for k in _unsaid_numbers(params, facts) if _key_unit(k) is None}
    if (action.type not in (ActionType.scale, ActionType.update) or not action.name or action.relative
            or set(params) - {"kind"} - unsaid or facts.rule_only or not facts.destructive or facts.injected
            or not facts.mentions(action.name, exact=True) or not _find(action, specs)):
        return False
    lowered = " ".join(facts.words)
    verbs = "|".join(re.escape(v) for v in sorted({*DELETE_WORDS, *DELETE_PHRASES}, key=len, reverse=True))
    named = re.escape(" ".join(_words(action.name)))
    # "delete email-bounce-handler in prod and the sendgrid-key secret": the second object of
    # the delete word, in the same clause, even where the plan has the first one's delete
    second = rf"\b(?:{verbs})\s+(?:the\s+)?[a-z0-9]+(?:\s+[a-z0-9]+){{0,4}}?\s+and\s+(?:the\s+|its\s+)?{named}\b"
    if any(not _NEGATION.search(lowered[:m.start()]) for m in re.finditer(second, lowered)):
        return True
    if not _a_delete_asked_and_not_written(facts, actions):
        return False
    # ("the ticket-pdfs bucket in dev can go": the name, then a few words, then the saying)
    return any(not _NEGATION.search(lowered[:m.start()]) for m in re.finditer(
        rf"\b(?:{verbs})\s+(?:the\s+)?(?:it|them|{named})\b"
        rf"|\b{named}\s+(?:[a-z0-9]+\s+){{0,4}}can\s+(?:both\s+|all\s+)?go\b", lowered))


def _made_ending_in(action: Action, facts: CommandFacts, created: dict) -> str | None:
    """The one resource made earlier in the plan (in the action's stack) whose name ends in the
    action's name, a name of one part ("triage" of exception-triage), and which the command
    says in full; None otherwise."""
    if not action.name or "-" in action.name:
        return None
    made = {n for (stack, n) in created if stack in (action.stack, None) and n.endswith("-" + action.name)
            and facts.mentions(n, exact=True)}
    return made.pop() if len(made) == 1 else None


def _said_before(name: str, word: str, facts: CommandFacts) -> bool:
    """Whether the command says the resource `name` (its first part) before the word `word`."""
    first = name.split("-")[0]
    return first in facts.words and word in facts.words and facts.words.index(first) < facts.words.index(word)


def _typed_as_is(name: str, facts: CommandFacts) -> bool:
    """Whether the command writes `name` as a name of several parts, as is ("scale checkout-api
    to 4"): a name typed that does not exist is refused, never read as another; words said
    ("the arena game servers") are read."""
    return "-" in name and re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", facts.text.lower()) is not None


_STACK_LIST_WORDS = frozenset({"and", "in", "on", "both", "plus", "also", "&"})
_EVERY_STACK = re.compile(r"\b(?:in|on|across|to)\s+(?:all|every|each)\s+(?:(?:two|three|four|of\s+the|the|our)\s+)*"
                          r"(?:envs?|environments?|stacks?)\b")
# a stack said to be left alone ("..., staging stays as it is", "dev is fine")
_LEFT_AS_IT_IS = re.compile(r"(?:\s+(?:one|cluster|stack|env))?\s+(?:stays?|remains?|is\s+fine|is\s+ok|can\s+wait"
                            r"|(?:is\s+)?untouched|(?:is\s+)?unchanged|as\s+is|keeps?)\b")
# a stack said for the change just said ("same for staging", "and in dev too", "the staging one too")
_THE_SAME_IN = (r"\bsame\s+(?:thing\s+|change\s+)?(?:for|in|on)\s+(?:the\s+)?{word}\b"
                r"|\b(?:ditto|likewise)\s+(?:for|in|on)\s+{word}\b"
                r"|\band\s+(?:in\s+|on\s+|for\s+)?(?:the\s+)?{word}(?:\s+one)?\s+(?:too|as\s+well)\b")


def _listed_stacks(facts: CommandFacts, specs: dict[str, StackSpec]) -> list[str]:
    """The stacks a command lists together ("in staging and prod", "in dev, stg and prod",
    "in both prod and staging"), in the order said; [] when it names fewer than two or names
    them apart ("promote staging's image to prod")."""
    vocab = {s: s for s in specs} | {a: s for a, s in STACK_ALIASES.items() if s in specs}
    lowered = facts.text.lower()
    if _EVERY_STACK.search(lowered) and len(specs) > 1:
        # "restart checkout-svc in all three envs": every stack, from dev up to prod
        order = {"dev": 0, "staging": 1, "prod": 2}
        return sorted(specs, key=lambda s: (order.get(s, 3), s))
    said = [(m.start(), m.end(), vocab[m.group(0)]) for m in re.finditer(r"[a-z0-9]+", lowered)
            if m.group(0) in vocab and not _LEFT_AS_IT_IS.match(lowered, m.end())]
    if len({s for _, _, s in said}) < 2:
        return []
    if len({s for _, _, s in said}) == 2 and any(
            re.search(_THE_SAME_IN.format(word=lowered[start:end]), lowered) for start, end, _ in said[1:]):
        # "fraud-checks visibility timeout 90s in prod. same for staging", "..., and the
        # staging one too": the change said for the first, and again for the other
        return list(dict.fromkeys(s for _, _, s in said))
    between = re.findall(r"[a-z0-9]+|[^\sa-z0-9]", lowered[said[0][1]:said[-1][0]])
    if any(t not in _STACK_LIST_WORDS and t != "," and t not in vocab for t in between):
        return []
    return list(dict.fromkeys(s for _, _, s in said))


def _another_of_what_the_plan_makes(action: Action, facts: CommandFacts, specs: dict[str, StackSpec],
                                    created: dict) -> Action | None:
    """The plan's create of the action's name in another stack, where the action changes that
    name in a stack that has none and the command asks for "one"/"another" in that stack."""
    if action.type not in (ActionType.update, ActionType.scale) or not action.name or action.stack not in specs \
            or specs[action.stack].find(action.name) or (action.stack, action.name) in created:
        return None
    made = [a for (stack, name), a in created.items() if name == action.name and stack != action.stack]
    if len(made) != 1:
        return None
    said = re.search(rf"\b(?:one|another)\s+(?:\w+\s+)?(?:in|on|for)\s+{stack_said(action.stack)}\b",
                     facts.text.lower())
    return made[0] if said else None


def _the_one_named_that_takes_them(action: Action, facts: CommandFacts, specs: dict[str, StackSpec],
                                   registry) -> tuple[str, str] | None:
    """(name, stack) of the one resource the command names exactly, in the action's stack (or
    any, where it has none), whose kind takes every value the change sets, for a change of a
    name that is nowhere; None where it sets nothing, or none or several fit."""
    if action.type not in (ActionType.scale, ActionType.update) or not action.name:
        return None
    keys = action.changed_keys()
    if not keys or any(spec.find(action.name) for spec in specs.values()):
        return None

    def takes(kind) -> set:
        return {k for a in ("update", "scale") if kind.supports(ActionType(a)) for k in kind.fields_for(a)}

    fits = {(name, stack) for stack, spec in specs.items() if action.stack in (None, stack)
            for section, name, _ in spec.resources()
            if section in registry and keys <= takes(registry[section]) and facts.mentions(name, exact=True)}
    return fits.pop() if len(fits) == 1 else None


def _the_same_change_in_another_stack(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec],
                                      registry, warnings: list[str]) -> list[Action]:
    """A change of a resource that sets nothing in one stack, beside one that sets something on
    the same name in another, where the command says the same for that stack ("bastion to
    t3.small in prod, and the staging one too" written with an empty scale of staging's): the
    same change there."""
    out = list(kept)
    for i, action in enumerate(kept):
        if action.type not in (ActionType.update, ActionType.scale) or not action.name or not action.stack \
                or action.changed_keys():
            continue
        if not re.search(_THE_SAME_IN.format(word=stack_said(action.stack)), facts.text.lower()):
            continue
        done = [a for j, a in enumerate(kept) if j != i and a.name == action.name and a.stack != action.stack
                and a.type in (ActionType.update, ActionType.scale)
                and a.changed_keys()]
        if len(done) != 1 or not specs.get(action.stack) or not specs[action.stack].find(action.name):
            continue
        warnings.append(f"the same change of {action.name!r} in {action.stack}: the command says so")
        out[i] = resolve_relative(done[0].model_copy(update={"stack": action.stack}), specs, registry, warnings)
    return out


def _one_create_in_each_stack_listed(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec],
                                     warnings: list[str]) -> list[Action]:
    """"create secret crowding-api-key from config key crowdingApiKey in staging and in prod"
    written with the values on the first create only: a create of the same name and kind in
    another stack the command lists with it, with no value the first lacks, takes the first's."""
    stacks = _listed_stacks(facts, specs)
    if len(stacks) < 2:
        return kept
    out = list(kept)
    creates = [(i, a) for i, a in enumerate(kept) if a.type == ActionType.create and a.name and a.stack in stacks]
    for i, action in creates:
        mine = action.parameters.set_values()
        fuller = [a for j, a in creates if j != i and a.name == action.name and a.stack != action.stack
                  and a.resource == action.resource and a.parameters.kind == action.parameters.kind
                  and mine.items() < a.parameters.set_values().items()]
        if len(fuller) != 1:
            continue
        warnings.append(f"the create of {action.name!r} in {action.stack} takes the values said once for "
                        f"{fuller[0].stack}: the command lists both stacks")
        out[i] = action.model_copy(update={"parameters": fuller[0].parameters})
    return out


def _one_per_stack_said(actions: list[Action], facts: CommandFacts, specs: dict[str, StackSpec],
                        warnings: list[str]) -> list[Action]:
    """A command that lists several stacks for one change ("restart the dispatch service in
    staging and prod", "+200 GB in both prod and staging") that the model wrote for one of
    them: the change once per stack, in the order said (each resolved against its own
    stack's spec: "+200 GB" from each one's size). Not for creates, nor when the plan
    already spans stacks."""
    stacks = _listed_stacks(facts, specs)
    if not stacks or not actions or any(a.type == ActionType.create for a in actions):
        return actions
    if len({a.stack for a in actions}) == 1 and actions[0].stack in (*stacks, None) and all(
            a.name and all(specs[s].find(a.name) for s in stacks) for a in actions):
        warnings.append(f"the command lists {', '.join(stacks)}: one action per stack")
        return [a.model_copy(update={"stack": s}) for a in actions for s in stacks]
    # Written once per stack, with one of them on a word of the command's reason that is no
    # resource ("restart notify worker in dev, stg and prod, sendgrid changed their endpoint"
    # -> restart sendgrid in staging): the one change the command asks, in every stack listed.
    there = [a for a in actions if a.name and all(specs[s].find(a.name) for s in stacks)
             and facts.mentions_loosely(a.name)]
    if len({a.type for a in actions}) != 1 or len({a.name for a in there}) != 1 or len(
            {repr((a.name, sorted(a.parameters.set_values().items()), sorted(a.relative.items()))) for a in there}) != 1:
        return actions
    if any(a.name and any(spec.find(a.name) for spec in specs.values()) for a in actions if a not in there):
        return actions
    if {a.stack for a in actions} - {*stacks, None}:
        return actions
    warnings.append(f"the command lists {', '.join(stacks)}: one action per stack, on {there[0].name!r}")
    return [there[0].model_copy(update={"stack": s}) for s in stacks]


# A message that says it asks for nothing ("fyi ... no action needed", "just curious, not
# changing anything", "thanks, the bump did it"): whatever the model read into it, nothing
# changes. Ahead of any plan, as a delete needs its own words.
NOT_A_REQUEST = re.compile(
    r"\bno\s+action\s+(?:needed|required|necessary)\b|\bnot\s+changing\s+anything\b"
    r"|\bdon'?t\s+change\s+anything\b|\bjust\s+(?:curious|checking|watching|asking|wondering|fyi)\b"
    r"|^\s*(?:thanks|thank\s+you|thx|ty|great\s+work|nice\s+work|good\s+job|kudos|fyi)\b"
    # chat that answers or takes back ("nvm, ignore my last message", "lgtm, merged", "ack")
    r"|^\s*(?:nvm|never\s*mind|ignore\s+my\s+last|lgtm|ack\b|lol\b|good\s+(?:morning|afternoon|evening)\b"
    r"|cool,?\s+merged)"
    # a notice ("heads up: ...", "reminder: change freeze ..."), a standing no ("please don't
    # scale anything in prod until ..."), a request to explain or review, a talk for later
    r"|^\s*(?:heads[\s-]+up|reminder|fyi|psa)\b\s*[:,-]"
    r"|^\s*(?:please\s+)?(?:don'?t|do\s+not)\s+(?:scale|change|touch|deploy|restart|delete|remove|modify)"
    r"\s+anything\b"
    r"|^\s*(?:can|could|would)\s+(?:someone|anyone|you)\s+(?:explain|tell\s+me\s+(?:what|why|how)|review)\b"
    r"|^\s*remind\s+me\s+what\b"
    # a doubt, not a request ("hmm, not sure we need more replicas, p95 looks fine now")
    r"|^\s*(?:hmm+|hm+|eh|meh)?[,.]?\s*(?:i'?m\s+)?not\s+sure\s+(?:we|if\s+we|that\s+we)\s+(?:need|should|want)\b"
    r"|\blet'?s\s+(?:talk|chat)\s+about\s+it\b")


_QUESTION = re.compile(r"^\s*(?:is|are|does|do|did|was|were|what|what's|whats|which|who|whose|where|why|when"
                       r"|how\s+(?:do|does|did|many|much|long|often|is|are))\b[^?]*\?")
_CHANGE_WORDS = frozenset({"scale", "bump", "set", "change", "add", "create", "delete", "remove", "raise",
                           "lower", "increase", "decrease", "restart", "deploy", "move", "make", "give",
                           "drop", "update", "double", "halve", "open", "close", "rotate", "attach",
                           "pause", "resume", "enable", "disable", "please", "pls"})


def _only_asks(text: str) -> bool:
    """Whether a command is a question and nothing more ("is the topic encrypted?", "how many
    arena servers are we running?"): a wh- or yes/no question, and no change asked after it."""
    m = _QUESTION.match(text.lower())
    return bool(m) and not (set(_words(text[m.end():])) & _CHANGE_WORDS)


def fit_to_kind(action: Action, specs: dict[str, StackSpec], registry, created: dict,
                facts: CommandFacts | None = None) -> Action:
    """Parameter keys held to the kind the action lands on: a size written under a key the
    kind does not take for this action (a deployment scaled with count) moves to the one size
    key it does take; a size the command says as an end of a range goes under that end
    (_sizes_to_their_ends); of two keys for one spec field the one named like the field is used
    (replicas for a deployment's replicas); a kind= value of another kind is corrected to the
    target's own (a deployment has none)."""
    found = _kind_of(action, specs, registry)
    if found is None:
        return action
    kind, entry = found
    params = action.parameters.set_values()
    fields = _fields(action, kind)
    if facts is not None and _has_size_range(fields):
        _sizes_to_their_ends(params, facts, fields, action.relative)
    sizes = [k for k in fields if k in _INT_KEYS]
    for key in [k for k in params if k not in fields and k in _INT_KEYS and k not in action.relative]:
        free = [k for k in sizes if k not in params and fields[k] not in
                {fields[p] for p in params if p in fields}]
        if len(free) == 1:
            params[free[0]] = params.pop(key)
    for key in [k for k in params if k in fields]:
        same = [k for k in fields if fields[k] == fields[key] and k != key]
        if same and key != fields[key] and fields[key] in same and fields[key] not in params:
            params[fields[key]] = params.pop(key)
    relative = dict(action.relative)
    for key in [k for k in relative if k in fields]:
        # (so for a change by an amount: "double the arena game servers" written count=*2)
        same = [k for k in fields if fields[k] == fields[key] and k != key]
        if same and key != fields[key] and fields[key] in same and fields[key] not in params | relative:
            relative[fields[key]] = relative.pop(key)
    if facts is not None and action.type != ActionType.monitor:  # an alarm's keys are the alert's
        anywhere = {k for a in ("create", "update", "scale") for k in kind.fields_for(a)}
        # only another kind's own keys: the common ones (provider, region, ...) are read by the
        # edit and the program whichever kind takes them
        for key in [k for k in params if k not in anywhere and k not in Parameters.model_fields
                    and k not in action.relative]:
            # a key of another kind that the command never says ("write_capacity=2" on a queue,
            # read from "two weeks"): the model's, not the command's
            stems = [w[:5] for w in key.split("_") if len(w) >= 3]
            if not any(w.startswith(stem) for stem in stems for w in facts.words):
                params.pop(key)
    value = params.get("kind")
    if value is not None and value not in kind.kind_values:
        if entry is not None and kind.kind_values:
            own = kind.noun_of(entry)
            params["kind"] = own if own in kind.kind_values else kind.kind_values[0]
        elif not kind.kind_values:
            params.pop("kind")
    return action.model_copy(update={"type": _scale_or_update(action, params, kind, entry),
                                     "parameters": Parameters.model_validate(params), "relative": relative})


def _conventional(name: str, facts: CommandFacts, prefixes) -> str | None:
    """The learned prefix `name` carries in front of a name the command says, if any (only for
    names the command does not say as they are)."""
    if facts.mentions(name):
        return None
    for prefix in prefixes:
        if name.startswith(prefix) and len(name) > len(prefix) and facts.mentions(name[len(prefix):]):
            return prefix
    return None


def _a_word_of_its_kind(name: str, action: Action, registry) -> bool:
    """Whether `name` is a word of a kind of the action's resource type ("database",
    "databases", "db"): said for the kind, not for one resource."""
    return any(name.lower() in {*k.words, k.noun, k.noun + "s"} for k in registry.of_type(action.resource))


def _one_of_all_said(action: Action, facts: CommandFacts, specs: dict[str, StackSpec], registry) -> bool:
    """Whether `action` acts on one of a set the command names by "all"/"every" and the kind's
    word ("all the databases in staging", "every cron job"), in the stack it is in: the set's
    members are named by it. Never for a delete, and never for "all" said of nothing ("that's
    all")."""
    if action.type == ActionType.delete or not facts.everything or action.stack not in specs:
        return False
    found = _kind_of(action, specs, registry)
    if found is None or found[1] is None:
        return False
    words = "|".join(re.escape(w) for w in sorted({*found[0].words, found[0].noun, found[0].noun + "s"}, key=len,
                                                    reverse=True) if w)
    return bool(words) and bool(re.search(
        rf"\b(?:all|every|each)\s+(?:of\s+)?(?:the\s+|our\s+)?(?:[a-z]+\s+)?(?:{words})\b", facts.text.lower()))


def _members(action: Action, spec: StackSpec) -> list[str]:
    """The names `action` covers in one stack when the command says "all" of a resource type
    (and of a kind, when the action says which: "all volumes")."""
    kind = (action.parameters.kind or "").lower()
    out = []
    for section, name, resource in spec.resources():
        if SECTIONS[section][1] != action.resource.value:
            continue
        if kind and kind not in (SECTION_NOUN[section], getattr(resource, "kind", None)):
            continue
        out.append(name)
    return out


# Actions on one existing resource. They act only on a resource the command names: never on a
# name the model supplied from elsewhere, never on the only resource of a kind.
TARGETED = frozenset({ActionType.delete, ActionType.scale, ActionType.update, ActionType.restart,
                      ActionType.backup, ActionType.monitor})


def _said_alike(action: Action, facts: CommandFacts, specs: dict[str, StackSpec]) -> list[str]:
    """The other resources of the action's kind and stack that the command's words for it fit
    as well: where it is said only as its first parts and a generic word ("the arrivals
    deployment" for arrivals-api), the others whose name starts with those parts
    (arrivals-predictor). [] where it is said otherwise (in full, or by its own last part)."""
    if not action.name or action.stack not in specs or facts.mentions(action.name, exact=True):
        return []
    found = specs[action.stack].find(action.name)
    parts = _words(action.name)
    if found is None or len(parts) < 2 or parts[-1] not in GENERIC_PARTS:
        return []
    head = parts[:-1]
    words = facts.words
    any_of_them = {"deployment", "deploy", "pods", "pod", "app", "workload"}
    said = {words[i + len(head)] for i in range(len(words) - len(head)) if words[i:i + len(head)] == head
            and words[i + len(head)] in GENERIC_SAID | any_of_them}
    if len(said) != 1:
        return []
    word = said.pop()
    # (a word that says what one of them is tells it apart: "the fares service" is not
    # fares-worker; "the arrivals deployment" fits every deployment)
    return [n for s, n, _ in specs[action.stack].resources()
            if s == found[0] and n != action.name and n.startswith("-".join(head) + "-")
            and (word in any_of_them or _words(n)[-1] not in GENERIC_SAID | GENERIC_PARTS)]


def _refuse_target(action: Action, specs: dict[str, StackSpec], reason: str) -> None:
    """Raise: `action` has no target the command names. The error lists what does exist."""
    stacks = [action.stack] if action.stack in specs else list(specs)
    noun = action.resource.value
    existing = []
    for stack in stacks:
        names = [n for section, n, _ in specs[stack].resources()
                 if SECTIONS[section][1] == noun or noun == "monitoring"]
        existing.append(f"{stack}: {', '.join(names) or 'none'}")
    where = f" in {action.stack}" if action.stack in specs else ""
    example = {"delete": "delete database orders in prod", "scale": "scale api in prod to 4 replicas",
               "restart": "restart api in dev", "backup": "back up database orders in prod",
               "monitor": "alert when api cpu is above 80% in prod",
               "update": "set the image of api in dev to ghcr.io/acme/api:2.0"}[action.type.value]
    raise InterpretError(
        f"cannot {action.type.value} a {noun} resource{where}: {reason}",
        hint=f"name one that exists, e.g. \"{example}\" -- {noun} resources by stack: {'; '.join(existing)}",
    )


def _stack(stack: str | None, facts: CommandFacts, default: str | None) -> str | None:
    if stack in facts.stacks or (stack and stack == default):
        return stack
    if not facts.stacks and facts.stacks_in_names:
        # "create lab-sync on clinic-dev", "ravensmoor-apps keep 200 and dev-images keep 5": a
        # stack said only inside a name is that resource's; the stack written stands (checked
        # against where its target is), and one is taken from the name only where none is
        if stack:
            return stack
        return facts.stacks_in_names[0] if len(facts.stacks_in_names) == 1 else default
    if stack and not facts.stacks and _EVERY_STACK.search(facts.text.lower()):
        return stack  # "in all three envs": one action per stack (_one_per_stack_said)
    if len(facts.stacks) == 1:
        return facts.stacks[0]
    if stack and len(facts.stacks) > 1:
        return stack if stack in facts.stacks else facts.stacks[0]
    return default


def _stack_said_with_its_name(action: Action, facts: CommandFacts, specs: dict[str, StackSpec],
                              actions: list[Action]) -> str | None:
    """The stack a command of several stacks says right after the action's target's name
    ("matchmaker-svc in prod", "redis-access on production"), where the target is there; else
    None. Not where the plan acts on the name more than once (one action per stack) or the
    command lists stacks for one change."""
    if len(facts.stacks) < 2 or not action.name or action.type == ActionType.create \
            or sum(a.name == action.name for a in actions) > 1 or _listed_stacks(facts, specs):
        return None
    lowered = facts.text.lower()
    found = set()
    for stack in facts.stacks:
        if re.search(rf"(?<![\w-]){re.escape(action.name.lower())}\s+(?:in|on|for|at)\s+(?:the\s+)?"
                     rf"{stack_said(stack)}(?![\w-])", lowered):
            found.add(stack)
    if len(found) != 1:
        return None
    stack = found.pop()
    return stack if stack in specs and specs[stack].find(action.name) else None


def _params(params: Parameters, facts: CommandFacts, warnings: list[str], name: str | None = None) -> Parameters:
    from agentops.planline import INT_KEYS

    values = params.set_values()
    for key in [k for k, v in values.items() if name and v == name and k not in ("target", "cluster", "kind")]:
        # "service=telematics-glue-role" on the role of that name: the name copied into a
        # value, not a value the command says
        del values[key]
    lowered = facts.text.lower()
    squeezed = re.sub(r"[^a-z0-9]", "", lowered)
    # ("8->12": the old numbers, and what each goes to)
    goes_from = {n: new for n, new in _old_to_new(lowered).items() if n in facts.old_values}
    for key, value in list(values.items()):
        ok = True
        if key in INT_KEYS:
            # (a port is 1 to 65535: "scale it to zero" copied as port=0 is no port)
            ok = float(value) in facts.numbers and (key != "port" or 1 <= float(value) <= 65535)
            if not ok and len(goes_from.get(float(value), ())) == 1:
                # "lms-web 8->12" written replicas=8: kept here, and read as the number it goes
                # to with the rest of the plan (values._without_old_values)
                ok = True
        elif key == "image" and not re.search(r"[a-z]", str(value).split("/")[-1].split("@")[0].split(":")[0]):
            ok = False  # "to 3:30am" is a time, not an image: an image's repository has a letter
        elif key == "threshold":
            # "older than 10 minutes": a threshold may be said in a unit of time (seconds)
            # or typed with its unit ("at 25ms": the metric's unit reads it, _said_units)
            ok = (float(value) in facts.numbers or facts.says_number("threshold_seconds", value)
                  or any(number == float(value) for number, _ in facts.quantities))
        elif key not in Parameters.model_fields:
            ok = _said(key, value, facts, lowered, squeezed)
            if ok and value is True and _flag_said_as_not(key, facts):
                # "the anticheat nlb doesn't need to be internal anymore" written internal=true
                warnings.append(f"{key} false: the command says it is not to be {key.replace('_', ' ')}")
                values[key] = False
        elif key in LITERAL_KEYS:
            ok = str(value).lower() in lowered
        elif key in ENUM_WORDS:
            # a kind's own spelling (a load balancer's HTTPS) is said in any case
            said = ENUM_WORDS[key].get(value, (str(value).lower(),))
            ok = any(w in facts.words for w in said) or (
                # "memroy": a slip in a metric word of five letters or more still names it
                key == "metric" and any(difflib.get_close_matches(w, [x for x in said if len(x) >= 5], 1, 0.8)
                                        for w in facts.words if len(w) >= 5))
        elif key == "provider":
            # (AWS said by a service, "ec2 instances", keeps provider=aws: measured in stop 34,
            # leaving it out lost more held-out items, blind and commands.yaml, than it won)
            ok = any(w in facts.words for w in PROVIDER_WORDS.get(value, ()))
        if not ok:
            del values[key]
    return Parameters.model_validate(values)


def _flag_said_as_not(key: str, facts: CommandFacts) -> bool:
    """Whether every word of a flag's key the command says ("internal") is said under a no
    within the four words before it ("doesn't need to be internal", "no longer internal",
    "not internal")."""
    stems = [w[:5] for w in key.split("_") if len(w) >= 4]
    said = [i for i, w in enumerate(facts.words) if any(w.startswith(stem) for stem in stems)]
    def taken_back(before: list[str]) -> bool:
        return bool({"not", "t", "never", "non"} & set(before)) or "no longer" in " ".join(before)

    return bool(said) and all(taken_back(facts.words[max(0, i - 4):i]) for i in said)


# keys whose value is another resource's name (Kind.references)
_REFERENCE_KEYS = frozenset({"cluster", "target", "network"})


def _said(key: str, value, facts: CommandFacts, lowered: str, squeezed: str) -> bool:
    """Whether the command says the value of a kind's own key (agentops.kinds.base.plan_keys):
    a number (in the key's unit or another: "4 days" for seconds), a flag by a word of its
    key ("suspend", "internal"), a word or list written in the command."""
    if isinstance(value, bool):
        stems = [w[:5] for w in key.split("_") if len(w) >= 4]
        return any(w.startswith(stem) for stem in stems for w in facts.words)
    if isinstance(value, (int, float)):
        return facts.says_number(key, value)
    items = value if isinstance(value, list) else [value]
    if key in _REFERENCE_KEYS and isinstance(value, str):
        # a resource's name is said as itself ("on platform", "the platform eks cluster"),
        # not as a part of another name ("platform-api")
        text = value.lower()
        return any(re.search(rf"(?<![\w-]){re.escape(said)}(?![\w-])", lowered)
                   for said in (text, text.replace("-", " ")))
    for item in items:
        text = str(item).lower()
        if len(text) < 3:
            if text not in facts.words:
                return False
        elif text not in lowered and ("." in text or re.sub(r"[^a-z0-9]", "", text) not in squeezed):
            # "api v2" for api-v2 is the value said; "enforce.trust" from "enforce. trust" is two
            # sentences run together, not a value
            return False
    return True


def _resource_from_spec(action: Action, specs: dict[str, StackSpec], created: dict | None = None) -> Action:
    # An existing name fixes the resource type: the spec knows what `web` is, and the plan's
    # own create what a resource it makes is.
    if action.type == ActionType.create or not action.name:
        return action
    made = (created or {}).get((action.stack, action.name)) or (created or {}).get((None, action.name))
    if made is not None:
        return action if action.type == ActionType.monitor else action.model_copy(update={"resource": made.resource})
    found = _find(action, specs)
    if found:
        return action.model_copy(update={"resource": ResourceType(SECTIONS[found[0]][1])})
    return action


def _check_exists(action: Action, specs: dict[str, StackSpec], created: dict | None = None) -> None:
    if action.type in (ActionType.create, ActionType.show) or not action.name:
        return
    if _exists(action, specs, created or {}):
        return
    stacks = [action.stack] if action.stack else list(specs)
    if any(specs[s].find(action.name) for s in stacks if s in specs):
        return
    where = action.stack or "any stack"
    existing = "; ".join(f"{s}: {', '.join(specs[s].names()) or 'none'}" for s in stacks if s in specs)
    raise InterpretError(
        f"cannot {action.type.value} {action.name!r}: no resource of that name in {where}",
        hint=f"existing resources -- {existing}",
    )


def matching_resources(action: Action, specs: dict[str, StackSpec]) -> list[str]:
    """For a show: 'stack/name (kind)' of every resource the action covers."""
    out = []
    for stack, spec in specs.items():
        if action.stack and stack != action.stack:
            continue
        for section, name, _ in spec.resources():
            if SECTIONS[section][1] != action.resource.value:
                continue
            if action.name and name != action.name:
                continue
            out.append(f"{stack}/{name} ({SECTION_NOUN[section]})")
    return out


def describe(action: Action) -> str:
    what = action.name or f"all {action.resource.value} resources"
    if action.type == ActionType.create:
        what = f"{action.resource.value} {action.name}" if action.name else f"new {action.resource.value}"
    where = f" in {action.stack}" if action.stack else ""
    params = action.parameters.set_values()
    detail = f" with {', '.join(f'{k}={v}' for k, v in params.items())}" if params else ""
    return f"{action.type.value.capitalize()} {what}{where}{detail}."


def compose(command: str, actions: list[Action], specs: dict[str, StackSpec], warnings: list[str]) -> ActionPlan:
    actions = [a.model_copy(update={"description": describe(a)}) for a in actions]
    if not actions:
        interpretation = "Not understood as an infrastructure change or query: nothing to do."
    else:
        interpretation = " ".join(a.description for a in actions)
        for a in actions:
            if a.type == ActionType.show:
                found = matching_resources(a, specs)
                interpretation += f" Found {len(found)}: {', '.join(found) or 'none'}."
        if any(a.stack is None and a.type != ActionType.show for a in actions):
            warnings.append("no stack named: pass --stack or say which stack (dev, staging, prod...)")
    return ActionPlan(command=command, interpretation=interpretation, actions=actions, warnings=warnings)
