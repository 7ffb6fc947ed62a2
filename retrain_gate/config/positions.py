"""YAML loaded safely, with every value's line and column kept for located errors."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import yaml

from retrain_gate.errors import ConfigError
from retrain_gate.model import Config, PathPart


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys (PyYAML silently keeps the last one)."""


def _compose_fast(text: str, *, display: str) -> tuple[Any, yaml.Node] | None:
    """Compose with libyaml when PyYAML has it (several times faster on big configs).

    None on anything unusual (no document, a YAML error, a duplicate key): the pure-Python
    loader then reads it again and words the error as it always has.
    """
    loader_class = getattr(yaml, "CSafeLoader", None)
    if loader_class is None or not text.isascii():  # marks count the same on ASCII only
        return None
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _refuse_duplicates(node, display=display)
        return loader.construct_document(node), node
    except (yaml.YAMLError, ConfigError):
        return None
    finally:
        loader.dispose()


def _compose(text: str, *, display: str) -> tuple[Any, yaml.Node | None]:
    fast = _compose_fast(text, display=display)
    if fast is not None:
        return fast
    try:
        loader = _Loader(text)  # the reader refuses control characters right away
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise ConfigError(
            f"invalid YAML: character #x{exc.character:04x} is not allowed in a YAML file",
            file=display,
            line=line,
            column=column,
            hint="remove it: a config is plain text",
        ) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _refuse_duplicates(node, display=display)
        return loader.construct_document(node), node
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        started = exc.context_mark
        context = (
            f" ({exc.context} started on line {started.line + 1}, column {started.column + 1})"
            if exc.context and exc.problem and started and mark and started.line != mark.line
            else ""
        )
        raise ConfigError(
            f"invalid YAML: {exc.problem or exc.context}{context}",
            file=display,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}", file=display) from None
    finally:
        loader.dispose()


def _refuse_duplicates(
    node: yaml.Node, *, display: str, seen_nodes: set[int] | None = None
) -> None:
    # an alias is the node it names: checked once (an anchor used inside itself, as in
    # `&g {name: g, all: [*g]}`, makes the node graph a cycle)
    seen_nodes = set() if seen_nodes is None else seen_nodes
    if id(node) in seen_nodes:
        return
    seen_nodes.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, yaml.Node] = {}
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    first = seen[key.value].start_mark.line + 1
                    raise ConfigError(
                        f"duplicate key {key.value!r} (first written on line {first})",
                        file=display,
                        line=key.start_mark.line + 1,
                        column=key.start_mark.column + 1,
                        hint="YAML keeps only the last one; remove one of them",
                    )
                seen[key.value] = key
            _refuse_duplicates(value, display=display, seen_nodes=seen_nodes)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _refuse_duplicates(item, display=display, seen_nodes=seen_nodes)


def _keyed(node: yaml.MappingNode) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    """The mapping's (key, value) nodes by key, indexed once and kept on the node: every
    rule's line is looked up, and a scan per lookup is quadratic in the number of models."""
    index: dict[str, tuple[yaml.Node, yaml.Node]] | None = vars(node).get("_keyed")
    if index is None:
        index = {}
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode):
                index.setdefault(k.value, (k, v))  # the first, as a scan would find
        vars(node)["_keyed"] = index
    return index


def position(
    node: yaml.Node | None, path: Sequence[PathPart], *, key: bool = False
) -> tuple[int | None, int | None]:
    """(line, column), 1-based, of the value at `path` (or of its key, with key=True)."""
    current = node
    mark_node = node
    for part in path:
        if isinstance(current, yaml.MappingNode):
            pair = _keyed(current).get(str(part))
            if pair is None:
                break
            mark_node = pair[0] if key and part == path[-1] else pair[1]
            current = pair[1]
        elif isinstance(current, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(current.value):
                break
            current = mark_node = current.value[part]
        else:
            break
    if mark_node is None:
        return None, None
    return mark_node.start_mark.line + 1, mark_node.start_mark.column + 1


def locate(config: Config, path: Sequence[PathPart]) -> tuple[int | None, int | None]:
    """(line, column) of a value in the config's text, for errors found after parsing."""
    node = _text_node(config.text) if config.text else None
    return position(node, path) if node is not None else (None, None)


@functools.lru_cache(maxsize=4)
def _text_node(text: str) -> yaml.Node | None:
    """The config's YAML node, composed once however many errors are located in it (a
    config of 200 models, each with a misspelled metric, is one reading, not 200)."""
    try:
        return yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return None


def dotted(path: Sequence[PathPart]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "the top level"
