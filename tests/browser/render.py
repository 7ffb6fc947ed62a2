"""A job summary as GitHub shows it: cmark-gfm to HTML, then Mermaid, in headless Chromium.

`page()` turns the Markdown into a page: GitHub's renderer (cmark-gfm with its extensions,
raw HTML kept as GitHub keeps `<details>`), each ```mermaid block handed to the `mermaid`
npm package (tests/browser/node_modules), and a script that writes what happened (every
block rendered or its error, every link and image, the overview's first column) into the
page as JSON. `run()` loads it in Chromium (`--dump-dom`) and reads that back; `screenshot()`
keeps a picture of it under SCREENSHOTS for people to look at.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
MERMAID = HERE / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
SCREENSHOTS = HERE / "screenshots"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--allow-file-access-from-files",
)

_SCRIPT = """
<script src="MERMAID_URL"></script>
<script>
(async () => {
  const out = {blocks: [], links: [], images: [], overview: []};
  mermaid.initialize({startOnLoad: false, securityLevel: "strict", theme: "THEME"});
  const blocks = [...document.querySelectorAll("pre.mermaid-source")];
  for (const [i, pre] of blocks.entries()) {
    const source = pre.textContent;
    try {
      const {svg} = await mermaid.render("chart" + i, source);
      const holder = document.createElement("div");
      holder.innerHTML = svg;
      pre.replaceWith(holder);
      const text = holder.textContent;
      out.blocks.push({ok: !/Syntax error|Parse error/i.test(text), error: null});
    } catch (e) {
      out.blocks.push({ok: false, error: String(e && e.message || e).slice(0, 400),
                       source: source.slice(0, 400)});
    }
  }
  for (const a of document.querySelectorAll("#summary a")) out.links.push(a.getAttribute("href"));
  for (const img of document.querySelectorAll("#summary img"))
    out.images.push(img.getAttribute("src"));
  const table = document.querySelector("#summary table");
  if (table) for (const row of table.querySelectorAll("tbody tr"))
    out.overview.push(row.cells[0].textContent);
  for (const d of document.querySelectorAll("details")) d.open = true;
  const result = document.createElement("pre");
  result.id = "result";
  result.textContent = JSON.stringify(out);
  document.body.appendChild(result);
})();
</script>
"""


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def to_html(markdown: str) -> str:
    """GitHub's Markdown: cmark-gfm with its extensions; raw HTML kept (GitHub keeps the
    `<details>` the summary uses, and its sanitizer would drop anything worse, which the
    test checks is not there)."""
    import cmarkgfm
    from cmarkgfm.cmark import Options

    body = cmarkgfm.github_flavored_markdown_to_html(
        markdown, options=Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_GITHUB_PRE_LANG
    )
    # GitHub hands ```mermaid blocks to Mermaid; so does this page
    return re.sub(
        r'<pre lang="mermaid"><code>(.*?)</code></pre>',
        lambda m: f'<pre class="mermaid-source">{m.group(1)}</pre>',
        body,
        flags=re.S,
    )


def page(markdown: str, *, theme: str = "default") -> str:
    dark = theme == "dark"
    style = (
        "body{font-family:sans-serif;max-width:1000px;margin:16px;"
        + ("background:#0d1117;color:#e6edf3}" if dark else "background:#fff;color:#1f2328}")
        + "table{border-collapse:collapse}td,th{border:1px solid #888;padding:2px 6px}"
    )
    script = _SCRIPT.replace("MERMAID_URL", MERMAID.as_uri()).replace("THEME", theme)
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><style>{style}</style></head>"
        f"<body><div id='summary'>{to_html(markdown)}</div>{script}</body></html>"
    )


def _chromium(args: list[str], *, timeout: float) -> str:
    binary = chromium()
    assert binary is not None
    with tempfile.TemporaryDirectory(prefix="retrain-gate-chromium-") as profile:
        done = subprocess.run(
            [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    return done.stdout


def run(markdown: str, folder: Path, name: str, *, timeout: float = 240) -> dict[str, Any]:
    """Render in Chromium; what the page's script found (see the module docstring)."""
    path = folder / f"{name}.html"
    path.write_text(page(markdown), encoding="utf-8")
    dom = _chromium(
        ["--virtual-time-budget=120000", "--run-all-compositor-stages-before-draw",
         "--dump-dom", path.as_uri()],
        timeout=timeout,
    )  # fmt: skip
    found = re.search(r'<pre id="result">(.*?)</pre>', dom, re.S)
    if not found:
        raise AssertionError(f"the page's script did not finish: {dom[-2000:]!r}")
    result: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return result


def screenshot(markdown: str, name: str, *, theme: str = "default", height: int = 2400) -> Path:
    """A picture of the rendered summary, kept under SCREENSHOTS (git-ignored; CI keeps it)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    source = SCREENSHOTS / f"{name}-{theme}.html"
    source.write_text(page(markdown, theme=theme), encoding="utf-8")
    target = SCREENSHOTS / f"{name}-{theme}.png"
    _chromium(
        ["--virtual-time-budget=120000", "--hide-scrollbars", f"--window-size=1040,{height}",
         f"--screenshot={target}", source.as_uri()],
        timeout=240,
    )  # fmt: skip
    return target
