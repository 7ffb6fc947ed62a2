"""Reading a committed file safely: inside the repository, as text, as JSON or YAML."""

from __future__ import annotations

import functools
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from retrain_gate.errors import ConfigError, DataError
from retrain_gate.model import Format

_FORMATS = {".csv": "csv", ".tsv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl"}


_FORMATS |= {".yaml": "yaml", ".yml": "yaml"}


FORMAT_SUFFIXES = tuple(_FORMATS)


def _format_of(path: Path, declared: Format, *, display: str | None = None) -> str:
    if declared != "auto":
        return declared
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise DataError(
            f"cannot tell the format of {path.name} from its extension",
            file=display or str(path),
            hint="use .csv, .json, .jsonl or .yaml, or set `format:` in the config",
        )
    return fmt


def read_text(path: Path, *, display: str) -> str:
    """The file's text, or a DataError naming why it cannot be read."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DataError("file not found", file=display) from None
    except IsADirectoryError:
        raise DataError("is a folder, not a file", file=display) from None
    except OSError as exc:
        raise DataError(f"cannot read: {exc.strerror}", file=display) from None
    return decode_text(data, display=display)


def decode_text(data: bytes, *, display: str) -> str:
    """A file's bytes (from the working tree or a commit) as text, or a DataError."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # a byte-order mark: Windows' "Unicode"
        raise DataError(
            "is UTF-16 text, not UTF-8", file=display, hint="save it as UTF-8 (without BOM)"
        )
    if b"\0" in data[:8192]:
        raise DataError("is a binary file, not text", file=display)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"is not UTF-8 text (byte {exc.start})", file=display) from None
    if not text.strip():
        raise DataError("is empty", file=display)
    return text


class _DuplicateKey(Exception):
    """A JSON object names one key twice: json.loads would keep the last silently."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _duplicate_line(text: str, key: str) -> int | None:
    """The line of the key's second occurrence (json names no position for it)."""
    found = list(re.finditer(re.escape(json.dumps(key)) + r"\s*:", text))
    return text.count("\n", 0, found[1].start()) + 1 if len(found) > 1 else None


def parse_json(text: str, *, display: str, constants: bool = False) -> Any:
    """JSON -> Python, naming the line and column of a syntax error; NaN and a key written
    twice in one object are refused (NaN and Infinity are allowed with `constants`:
    distributions, whose reader says what they may be)."""

    def refuse(constant: str) -> Any:
        raise ValueError(constant)

    try:
        return json.loads(
            text,
            parse_constant=None if constants else refuse,
            object_pairs_hook=_unique_pairs,
        )
    except _DuplicateKey as exc:
        raise DataError(
            f"names the key {shown(exc.key)} twice in one object",
            file=display,
            line=_duplicate_line(text, exc.key),
            hint="keep one: the gate does not guess which value is meant",
        ) from None
    except RecursionError:
        raise DataError("is nested too deeply to be read", file=display) from None
    except json.JSONDecodeError as exc:
        raise DataError(
            f"is not valid JSON: {exc.msg} (column {exc.colno})", file=display, line=exc.lineno
        ) from None
    except ValueError as exc:
        # json names no position for a refused constant: find the first unquoted one
        found = re.search(r"[:\[,]\s*" + re.escape(str(exc)) + r"\b", text)
        raise DataError(
            f"contains {exc}; NaN and infinity are not metric values",
            file=display,
            line=text.count("\n", 0, found.start()) + 1 if found else None,
            hint="write null if the value is missing",
        ) from None


def parse_yaml(text: str, *, display: str) -> Any:
    """YAML (safely) -> Python; a key written twice in one mapping is refused, as in JSON."""
    import yaml

    try:
        loader = _unique_key_loader()(text)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except _DuplicateYamlKey as exc:
        raise DataError(
            f"names the key {shown(exc.key)} twice in one mapping (first on line {exc.first})",
            file=display,
            line=exc.line,
            hint="keep one: the gate does not guess which value is meant",
        ) from None
    except RecursionError:
        raise DataError("is nested too deeply to be read", file=display) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise DataError(
            f"is not valid YAML: {problem}",
            file=display,
            line=mark.line + 1 if mark else None,
        ) from None


class _DuplicateYamlKey(Exception):
    def __init__(self, key: object, *, line: int, first: int) -> None:
        super().__init__(key)
        self.key, self.line, self.first = key, line, first


@functools.cache
def _unique_key_loader() -> Any:
    import yaml

    class Loader(yaml.SafeLoader):
        def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Any:
            seen: dict[tuple[str, str], int] = {}
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(":merge"):
                    continue  # merge keys and complex keys: the base class handles them
                key = (key_node.tag, key_node.value)  # 1 and '1' are two keys
                line = key_node.start_mark.line + 1
                if key in seen:
                    raise _DuplicateYamlKey(key_node.value, line=line, first=seen[key])
                seen[key] = line
            return super().construct_mapping(node, deep=deep)

    return Loader


def shown(value: object, *, limit: int = 60) -> str:
    """A value from a user's file, quoted for a message and cut to `limit` characters."""
    if isinstance(value, date):  # a YAML date: as written, not datetime.date(2026, 1, 1)
        value = value.isoformat()
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


@functools.lru_cache(maxsize=64)
def _real(root: Path) -> Path:
    """The repository root's real path: resolved once, not once per file read."""
    return root.resolve()


def resolve_inside(
    root: Path, relative: str, *, what: str, file: str | None = None, line: int | None = None
) -> Path:
    """A config path, resolved under the repository root; escaping it is a config error."""
    candidate = Path(relative)
    if candidate.is_absolute():
        raise ConfigError(
            f"{what} {relative!r} is an absolute path",
            file=file,
            line=line,
            hint="paths in the config are relative to the repository root",
        )
    resolved = (root / candidate).resolve()
    if not resolved.is_relative_to(_real(root)):
        raise ConfigError(
            f"{what} {relative!r} points outside the repository ({root})",
            file=file,
            line=line,
            hint="keep metric, model card and data files inside the repository",
        )
    return resolved
