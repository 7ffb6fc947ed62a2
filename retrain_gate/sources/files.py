"""Reading a committed file safely: inside the repository, as text, as JSON or YAML."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

from retrain_gate.errors import ConfigError, DataError
from retrain_gate.model import Format

_FORMATS = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl"}


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
    if b"\0" in data[:8192]:
        raise DataError("is a binary file, not text", file=display)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"is not UTF-8 text (byte {exc.start})", file=display) from None
    if not text.strip():
        raise DataError("is empty", file=display)
    return text


def parse_json(text: str, *, display: str, constants: bool = False) -> Any:
    """JSON -> Python, naming the line and column of a syntax error; NaN and Infinity are
    refused unless `constants` (distributions: the reader says what they may be)."""

    def refuse(constant: str) -> Any:
        raise ValueError(constant)

    try:
        return json.loads(text) if constants else json.loads(text, parse_constant=refuse)
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
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise DataError(
            f"is not valid YAML: {problem}",
            file=display,
            line=mark.line + 1 if mark else None,
        ) from None


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
