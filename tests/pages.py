"""What a page shows, read from its HTML as a user reads it (not from the view's context)."""

from __future__ import annotations

import re
from html import unescape


def month_stepper(response) -> dict:
    """The month picker: the month shown, the months offered, and where ‹ and › lead
    (None: that arrow is disabled)."""
    html = response.content.decode()
    form = html[html.index('<form method="get" class="period-stepper">') :]
    form = form[: form.index("</form>")]
    select = form[form.index('<select id="period-select"') : form.index("</select>")]

    def step(kind: str) -> str | None:
        link = re.search(rf'<a class="step step-{kind}[^"]*"([^>]*)>', form)
        assert link is not None, kind
        target = re.search(r'href="\?period=([0-9-]+)', link[1])
        return target[1] if target else None

    return {
        "month": re.search(r'<option value="([^"]+)" selected>', select)[1],
        "months": [unescape(m) for m in re.findall(r'<option value="([^"]+)"', select)],
        "previous": step("previous"),
        "next": step("next"),
    }
