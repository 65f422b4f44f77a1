"""Markdown rendering and sanitising, per translation body (issue 5: the renderer was ~70% of the
hub's CPU in bench_v1.py).

new: `render_markdown` (markdown-it.rs, then, for a text without raw HTML, the string passes of
`hub.core.rendered_html`; else the prebuilt nh3 cleaner). old: markdown-it-py with the
tasklists plugin (the module's slow path for deeply nested texts) and `nh3.clean` with the same
allow-list rebuilt on every call, as before. Both run on the bench_v1 body and on a larger
article (headings, lists, task list, table, code, quotes, images, links). Also `sanitize_html`
and `sanitize_rendered` alone on the same rendering, and `markdown_image_urls`. Prints
microseconds per call and the speed-up (aim: >= 10x; issue 5 sets its target on the whole
create, bench_v1.py).
`--quick` runs a tenth of the iterations.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import nh3
from _targets import target
from bench_v1 import BODY

from hub.core import markdown, rendered_html, sanitize

SHORT = f"## Agent post\n\n{BODY}"
SECTION = """## Section {i}

A paragraph with *emphasis*, **strong text**, `inline code`, ~~a correction~~ and a
[link to somewhere](https://example.com/{i} "Title {i}"). Another sentence that goes on for a
while to make the paragraph the length of a real one, with a <https://autolink.example/{i}>.

- first point with [a link](/p/{i})
- second point
  - nested point
- [x] a done task
- [ ] an open task

> A quotation that spans
> two lines.

| Name | Value | Note |
|:-----|------:|:----:|
| a{i} | {i} | *x* |
| b{i} | 2 | `y` |

```python
def f(x):
    return x * {i}
```

![Figure {i}](/media/figure-{i}.webp "Figure")
"""
ARTICLE = "# A longer article\n\n" + "\n".join(SECTION.format(i=i) for i in range(12))


def old_render(text: str) -> str:
    html = markdown._slow(True).render(text)
    return nh3.clean(html, **sanitize._OPTIONS, attribute_filter=sanitize._filter_attribute)


def new_render(text: str) -> str:
    return markdown.render_markdown(text, allow_html=True)


def per_call(fn: Callable[[str], object], arg: str, n: int) -> float:
    """Best of five runs, microseconds per call (the machine is shared: best is least noisy)."""
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(n):
            fn(arg)
        best = min(best, (time.perf_counter() - start) / n)
    return best * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    scale = 10 if parser.parse_args().quick else 1
    for name, text, n in (("bench_v1 body", SHORT, 2000), ("article", ARTICLE, 100)):
        n = max(10, n // scale)
        assert old_render(text) == new_render(text), name  # same HTML before timing it
        old, new = per_call(old_render, text, n), per_call(new_render, text, n)
        html = markdown._render(text, True, markdown._fast_path_is_safe(text))  # unsanitised
        clean = per_call(sanitize.sanitize_html, html, n)
        passes = per_call(rendered_html.sanitize_rendered, html, n)
        images = per_call(markdown.markdown_image_urls, text, n)
        print(f"{name} ({len(text):,} chars)")
        print(f"  old render + sanitise   {old:9.1f} us")
        print(f"  new render + sanitise   {new:9.1f} us   speed-up {old / new:5.1f}x (aim >= 10)")
        target(f"markdown speed-up, {name}", f"{new:.1f} us", old / new, 10)
        print(f"  of which sanitise_html  {clean:9.1f} us")
        print(f"  sanitize_rendered       {passes:9.1f} us   (what the new path runs instead)")
        print(f"  markdown_image_urls     {images:9.1f} us")


if __name__ == "__main__":
    main()
