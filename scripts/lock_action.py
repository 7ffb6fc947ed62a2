"""Write requirements/action.txt, the action's runtime pinned and hashed, from
requirements/action.in (exact pins).

For each supported Python and runner platform, pip downloads the wheel of every pin that
applies there (wheels only: an install that builds a package would run code no hash covers),
each wheel is hashed, and its metadata is read to check that every package it requires is
pinned, at a version it accepts. The action then installs with
`pip install --require-hashes --no-deps -r requirements/action.txt`, so the pins are the
whole set: a missing one fails here, not on a user's runner.

Needs the network and `packaging`; run by hand after editing action.in:
    python scripts/lock_action.py
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import zipfile
from email.parser import HeaderParser
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "requirements" / "action.in"
TARGET = ROOT / "requirements" / "action.txt"
PYTHONS = ("3.10", "3.11", "3.12", "3.13")
# GitHub's hosted runners (Linux x64 and arm64, macOS arm64 and x64, Windows x64), as pip's
# --platform tags; manylinux wheels carry either naming, so both are given.
MANYLINUX = "manylinux_2_28_{0} manylinux_2_17_{0} manylinux2014_{0}"
PLATFORMS = {
    "linux-x86_64": ("linux", "Linux", "x86_64", MANYLINUX.format("x86_64")),
    "linux-aarch64": ("linux", "Linux", "aarch64", MANYLINUX.format("aarch64")),
    "macos-arm64": ("darwin", "Darwin", "arm64", "macosx_14_0_arm64"),
    "macos-x86_64": ("darwin", "Darwin", "x86_64", "macosx_14_0_x86_64"),
    "windows-amd64": ("win32", "Windows", "AMD64", "win_amd64"),
}


def environment(python: str, platform: str) -> dict[str, str]:
    """The marker environment of one target, as PEP 508 names it."""
    sys_platform, system, machine, _ = PLATFORMS[platform]
    return {
        "python_version": python,
        "python_full_version": f"{python}.0",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "sys_platform": sys_platform,
        "platform_system": system,
        "platform_machine": machine,
        "os_name": "nt" if sys_platform == "win32" else "posix",
        "extra": "",
    }


def read_pins(path: Path) -> list[Requirement]:
    pins = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        pin = Requirement(line)
        specs = list(pin.specifier)
        if len(specs) != 1 or specs[0].operator != "==":
            sys.exit(f"{path.name}: {line!r} is not an exact pin (name==version)")
        pins.append(pin)
    return pins


def requires(wheel: Path) -> list[Requirement]:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = HeaderParser().parsestr(archive.read(name).decode("utf-8"))
    return [Requirement(text) for text in metadata.get_all("Requires-Dist") or []]


def lock(pins: list[Requirement], folder: Path) -> dict[str, set[str]]:
    """Every pin's wheels' sha256, across all targets; exits on a gap in the pins."""
    by_name = {canonicalize_name(pin.name): pin for pin in pins}
    hashes: dict[str, set[str]] = {name: set() for name in by_name}
    problems = []
    for python in PYTHONS:
        for platform, (*_, tags) in PLATFORMS.items():
            env = environment(python, platform)
            wanted = [p for p in pins if p.marker is None or p.marker.evaluate(env)]
            into = folder / f"{python}-{platform}"
            command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
            command += ["--only-binary=:all:", "--python-version", python, "--dest", str(into)]
            for tag in tags.split():
                command += ["--platform", tag]
            command += [f"{p.name}=={next(iter(p.specifier)).version}" for p in wanted]
            subprocess.run(command, check=True)
            for wheel in sorted(into.glob("*.whl")):
                name = canonicalize_name(wheel.name.split("-")[0])
                hashes[name].add(hashlib.sha256(wheel.read_bytes()).hexdigest())
                for need in requires(wheel):
                    if need.marker is not None and not need.marker.evaluate(env):
                        continue
                    pin = by_name.get(canonicalize_name(need.name))
                    applies = pin is not None and (pin.marker is None or pin.marker.evaluate(env))
                    version = next(iter(pin.specifier)).version if pin and applies else None
                    if version is None or not need.specifier.contains(version, prereleases=True):
                        problems.append(f"{python} {platform}: {wheel.name} requires {need}")
    if problems:
        sys.exit("not covered by the pins in action.in:\n  " + "\n  ".join(sorted(set(problems))))
    return hashes


def render(pins: list[Requirement], hashes: dict[str, set[str]]) -> str:
    lines = [
        "# The action's runtime, pinned and hashed: generated by scripts/lock_action.py from",
        "# requirements/action.in (edit that, then run the script). Installed with",
        "# pip install --require-hashes --no-deps -r requirements/action.txt",
    ]
    for pin in sorted(pins, key=lambda p: canonicalize_name(p.name)):
        name = canonicalize_name(pin.name)
        head = f"{name}=={next(iter(pin.specifier)).version}"
        if pin.marker is not None:
            head += f" ; {Marker(str(pin.marker))}"
        lines.append(head + " \\")
        digests = sorted(hashes[name])
        for index, digest in enumerate(digests):
            tail = " \\" if index < len(digests) - 1 else ""
            lines.append(f"    --hash=sha256:{digest}{tail}")
    return "\n".join(lines) + "\n"


def main() -> None:
    pins = read_pins(SOURCE)
    with tempfile.TemporaryDirectory() as folder:
        hashes = lock(pins, Path(folder))
    TARGET.write_text(render(pins, hashes), encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}: {len(pins)} pins, "
          f"{sum(map(len, hashes.values()))} wheels")  # fmt: skip


if __name__ == "__main__":
    main()
