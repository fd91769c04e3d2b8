"""What a browser makes of a download: the file name it saves and the bytes it writes."""

from __future__ import annotations

import re
from urllib.parse import unquote

_EXTENDED = re.compile(r"filename\*=(?P<charset>[\w-]+)''(?P<name>[^;]+)", re.IGNORECASE)
_PLAIN = re.compile(r'filename="(?P<name>(?:[^"\\]|\\.)*)"')


def saved_name(response) -> str:
    """The name the browser saves the file under (RFC 6266: ``filename*`` wins)."""
    header = response["Content-Disposition"]
    assert header.split(";")[0].strip() == "attachment", header  # saved, not shown
    if extended := _EXTENDED.search(header):
        return unquote(extended["name"], encoding=extended["charset"])
    plain = _PLAIN.search(header)
    assert plain is not None, header
    return re.sub(r"\\(.)", r"\1", plain["name"])


def body(response) -> bytes:
    """The downloaded bytes, whether the response streams them or not."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content
