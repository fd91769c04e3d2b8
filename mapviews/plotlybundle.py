"""The plotly.js bundle that ships with the plotly package, read without Django.

plotly.js 3 puts maplibre's stylesheet into the page as a ``<style>`` element with
fixed text when it loads (even when no map trace is drawn). The site's
Content-Security-Policy allows no inline style, so ``inline_style_hashes`` gives the
CSP hash of each such text in the installed bundle: exactly those texts, nothing
else, and always those of the version that is served (config/settings.py).
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache
from pathlib import Path

PLOTLY_FILE = "plotly.min.js"
#: ``e.textContent = `…``` right after ``createElement("style")``.
INLINE_STYLE = re.compile(r'createElement\("style"\)[^`]{0,300}?\.textContent=`([^`]*)`')


def plotly_package_dir() -> Path:
    import plotly

    return Path(plotly.__file__).parent / "package_data"


def csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def inline_style_texts(bundle: str) -> list[str]:
    return INLINE_STYLE.findall(bundle)


@cache
def inline_style_hashes() -> tuple[str, ...]:
    bundle = (plotly_package_dir() / PLOTLY_FILE).read_text(encoding="utf-8")
    return tuple(csp_hash(text) for text in inline_style_texts(bundle))
