"""Round-trip YAML surgery shared by agentops.edit and the kinds' edit hooks.

Edits go through ruamel's round-trip documents so comments, key order, quoting and blank lines
of untouched lines survive. Adding a key or an item at the end of a block moves the comment or
blank line that trailed the block to the new end, so the diff a reviewer sees is the change.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq




def _trailing(node: Any) -> tuple[Any, Any, int] | None:
    """(container, key, slot) of the comment token that trails `node`'s last line."""
    if isinstance(node, CommentedMap) and len(node):
        key = list(node)[-1]
        deeper = _trailing(node[key])
        return deeper or (node, key, 2)
    if isinstance(node, CommentedSeq) and len(node):
        deeper = _trailing(node[-1])
        return deeper or (node, len(node) - 1, 0)
    return None


def take_trailing(node: Any):
    spot = _trailing(node)
    if spot is None:
        return None
    container, key, slot = spot
    item = container.ca.items.get(key)
    if not item or len(item) <= slot or item[slot] is None:
        return None
    token, item[slot] = item[slot], None
    return token


def put_trailing(node: Any, token) -> None:
    if token is None:
        return
    spot = _trailing(node)
    if spot is None:
        return
    container, key, slot = spot
    item = container.ca.items.setdefault(key, [None] * (4 if isinstance(container, CommentedMap) else 2))
    while len(item) <= slot:
        item.append(None)
    item[slot] = token


def append(mapping: CommentedMap, key: str, value: Any) -> None:
    if key in mapping:
        mapping[key] = value
        return
    token = take_trailing(mapping)
    mapping[key] = value
    put_trailing(mapping, token)


def append_item(seq: CommentedSeq, value: Any) -> None:
    token = take_trailing(seq)
    seq.append(value)
    put_trailing(seq, token)


def add_entry(doc: CommentedMap, section: str, name: str, entry: CommentedMap,
              order: list[str]) -> None:
    if isinstance(doc.get(section), CommentedMap):
        append(doc[section], name, entry)
        return
    block = CommentedMap()
    block[name] = entry
    # A new section goes where `order` (the registry's spec order) puts it, so every spec
    # reads the same way.
    later = [k for k in doc if k in order and order.index(k) > order.index(section)]
    if later:
        position = list(doc).index(later[0])
        previous = list(doc)[position - 1] if position else None
        doc.insert(position, section, block)
        if previous is not None:
            # What trailed the previous section (a blank line, a comment about the next one)
            # now trails the new section; the previous one ends with a plain blank line.
            token = take_trailing(doc[previous])
            put_trailing(block, token)
            put_trailing(doc[previous], blank(token))
    else:
        token = take_trailing(doc)
        doc[section] = block
        put_trailing(doc, token)


def blank(token):
    from ruamel.yaml.tokens import CommentToken

    return CommentToken("\n\n", token.start_mark, None) if token is not None else None


def remove(doc: CommentedMap, section: str, name: str) -> None:
    block = doc[section]
    last = list(block)[-1] == name
    token = take_trailing(block) if last else None
    del block[name]
    if not block:
        del doc[section]
        return
    put_trailing(block, token)
