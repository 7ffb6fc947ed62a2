"""A small JSON Schema verdict for the common case: valid configs pass without jsonschema.

It answers True (valid), False or None (not sure); anything but True is handed to jsonschema,
which words the error. Big configs validate several times faster this way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

# JSON Schema keywords that never make an instance invalid.
# ($defs only holds subschemas for `$ref`: it says nothing about the instance either)
_ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "title", "description", "default", "$defs"})


_JSON_TYPES = (dict, list, str, bool, int, float, type(None))


def _all_of(verdicts: Iterator[bool | None]) -> bool | None:
    """False if any verdict is False, else None if any is unsure, else True."""
    result: bool | None = True
    for verdict in verdicts:
        if verdict is False:
            return False
        if verdict is None:
            result = None
    return result


def _is_type(value: Any, name: str) -> bool | None:
    if name in ("number", "integer"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        return name == "number" or isinstance(value, int) or value.is_integer()
    python = {"object": dict, "array": list, "string": str, "boolean": bool}.get(name)
    if python is not None:
        return isinstance(value, python)
    return value is None if name == "null" else None


def _equal(one: Any, two: Any) -> bool | None:
    if isinstance(one, (dict, list)) or isinstance(two, (dict, list)):
        return None
    if isinstance(one, bool) or isinstance(two, bool):  # JSON: true is not 1
        return isinstance(one, bool) and isinstance(two, bool) and one == two
    return bool(one == two)


def _verdict(schema: Any, value: Any, root: Any = None) -> bool | None:
    """Whether `value` is valid under the schema: True, False, or None when unsure.

    A hand-written check of the keywords our schemas use, so that a valid config is accepted
    without importing jsonschema (a third of a small `check`'s start-up). Anything it does
    not know is None, and jsonschema decides (and words the error) as before. `root`: the
    document a `$ref` such as `#/$defs/trigger` points into (default: `schema` itself).
    """
    if isinstance(schema, bool):
        return schema
    if not isinstance(schema, Mapping) or type(value) not in _JSON_TYPES:
        return None
    root = schema if root is None else root
    verdicts: list[bool | None] = []
    for keyword, expected in schema.items():
        if keyword in _ANNOTATIONS:
            continue
        if keyword == "$ref":
            target = _local_ref(root, expected)
            verdicts.append(None if target is None else _verdict(target, value, root))
        elif keyword == "type":
            names = [expected] if isinstance(expected, str) else list(expected)
            found = [_is_type(value, n) for n in names]
            verdicts.append(True if True in found else None if None in found else False)
        elif keyword == "enum":
            equal = [_equal(value, item) for item in expected]
            verdicts.append(True if True in equal else None if None in equal else False)
        elif keyword == "const":
            verdicts.append(_equal(value, expected))
        elif keyword == "allOf":
            verdicts.append(_all_of(_verdict(sub, value, root) for sub in expected))
        elif keyword == "not":
            negated = _verdict(expected, value, root)
            verdicts.append(None if negated is None else not negated)
        elif keyword == "if":  # with its `then` and `else`, which alone say nothing
            condition = _verdict(expected, value, root)
            branch = schema.get("then" if condition else "else", True)
            verdicts.append(None if condition is None else _verdict(branch, value, root))
        elif keyword in ("then", "else"):
            continue
        elif keyword in ("anyOf", "oneOf"):
            found = [_verdict(sub, value, root) for sub in expected]
            if None in found:
                verdicts.append(None)
            elif keyword == "anyOf":
                verdicts.append(True in found)
            else:
                verdicts.append(found.count(True) == 1)
        elif keyword in _OBJECT_KEYWORDS:
            if isinstance(value, dict):
                verdicts.append(_object_verdict(keyword, expected, schema, value, root))
        elif keyword == "items":
            if isinstance(value, list):
                verdicts.append(_all_of(_verdict(expected, item, root) for item in value))
        elif keyword in ("minItems", "maxItems"):
            if isinstance(value, list):
                verdicts.append(
                    len(value) >= expected if keyword == "minItems" else len(value) <= expected
                )
        elif keyword in ("pattern", "minLength", "maxLength"):
            if isinstance(value, str):
                verdicts.append(
                    re.search(expected, value) is not None
                    if keyword == "pattern"
                    else len(value) >= expected
                    if keyword == "minLength"
                    else len(value) <= expected
                )
        elif keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                # written as jsonschema does, so that NaN compares the same way
                verdicts.append(
                    not (value < expected)
                    if keyword == "minimum"
                    else not (value > expected)
                    if keyword == "maximum"
                    else not (value <= expected)
                    if keyword == "exclusiveMinimum"
                    else not (value >= expected)
                )
        else:
            return None
    return _all_of(iter(verdicts))


_OBJECT_KEYWORDS = frozenset(
    {
        "properties",
        "additionalProperties",
        "required",
        "propertyNames",
        "minProperties",
        "maxProperties",
    }
)


def _local_ref(root: Any, ref: object) -> Any:
    """The subschema `#/a/b` names inside `root`; None for anything else (jsonschema then
    resolves it)."""
    if not isinstance(ref, str) or not ref.startswith("#/"):
        return None
    target = root
    for part in ref[2:].split("/"):
        if not isinstance(target, Mapping) or part not in target:
            return None
        target = target[part]
    return target


def _object_verdict(
    keyword: str, expected: Any, schema: Mapping[str, Any], value: dict[Any, Any], root: Any
) -> bool | None:
    if keyword == "required":
        return all(name in value for name in expected)
    if keyword == "minProperties":
        return len(value) >= expected
    if keyword == "maxProperties":
        return len(value) <= expected
    if keyword == "propertyNames":
        return _all_of(_verdict(expected, name, root) for name in value)
    properties = schema.get("properties", {})
    if keyword == "properties":
        return _all_of(
            _verdict(properties[k], v, root) for k, v in value.items() if k in properties
        )
    return _all_of(_verdict(expected, v, root) for k, v in value.items() if k not in properties)
