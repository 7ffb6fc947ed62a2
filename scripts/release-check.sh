#!/usr/bin/env bash
# Build a release and check it as a user would get it: the sdist and the wheel, `twine check`,
# the wheel installed into a fresh virtual environment, `retrain-gate --version` and the
# README's example run from that venv, outside this checkout.
#
#   scripts/release-check.sh OUTDIR [TAG]
#
# The release workflow runs it on the pushed tag (TAG must then be `v` + __version__, with a
# dated CHANGELOG.md section for that version) and publishes OUTDIR; .ci/run runs it without a
# tag, as a dry run. Needs `build` and `twine` (the `ci` extras) in the Python on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:?usage: scripts/release-check.sh OUTDIR [TAG]}"
tag="${2:-}"

version="$(python -c 'import re, sys
text = open("retrain_gate/__init__.py", encoding="utf-8").read()
sys.stdout.write(re.search(r"^__version__ = \"([^\"]+)\"$", text, re.M).group(1))')"
if [[ -n "$tag" && "$tag" != "v$version" ]]; then
  echo "release-check: tag $tag is not v$version, the version in retrain_gate/__init__.py" >&2
  exit 1
fi
# the release notes: fails without a dated section for this version (a dry run only warns)
if ! python scripts/changelog_notes.py "$version" > /dev/null; then
  [[ -z "$tag" ]] || exit 1
  echo "release-check: (dry run) no release notes yet for $version"
fi

rm -rf "$out"
python -m build --outdir "$out" .
shopt -s nullglob
wheels=("$out"/retrain_gate-"$version"-py3-none-any.whl)
sdists=("$out"/retrain_gate-"$version".tar.gz)
files=("$out"/*)
if [[ ${#wheels[@]} -ne 1 || ${#sdists[@]} -ne 1 || ${#files[@]} -ne 2 ]]; then
  echo "release-check: expected one wheel and one sdist of $version in $out: ${files[*]}" >&2
  exit 1
fi
python -m twine check --strict "${files[@]}"
# the wheel holds the package and its metadata only
python - "${wheels[0]}" <<'PY'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
tops = {name.split("/")[0] for name in names}
strays = {t for t in tops if t != "retrain_gate" and not t.endswith(".dist-info")}
assert not strays, f"the wheel holds more than the package: {sorted(strays)}"
assert "retrain_gate/py.typed" in names, "the wheel lacks py.typed"
PY

# A fresh venv, the wheel from the file (its dependencies from the index as for any user), and
# nothing of this checkout on the way: it runs in a folder of its own.
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
python -m venv "$scratch/venv"
bin="$scratch/venv/bin"
"$bin/python" -m pip install --quiet --disable-pip-version-check "${wheels[0]}"
said="$("$bin/retrain-gate" --version)"
if [[ "$said" != "retrain-gate $version" ]]; then
  echo "release-check: retrain-gate --version says '$said', not 'retrain-gate $version'" >&2
  exit 1
fi
cp -R examples "$scratch/examples"
# the README's example, as printed there
(cd "$scratch" && "$bin/retrain-gate" check --config examples/retrain-gate.yml --now 2026-11-28 \
  > "$scratch/example.txt")
if ! grep -q "^churn: RETRAIN " "$scratch/example.txt"; then
  echo "release-check: the README's example did not decide churn: RETRAIN:" >&2
  cat "$scratch/example.txt" >&2
  exit 1
fi
echo "release-check: retrain-gate $version built and checked: ${files[*]}"
