"""What a station code (and a unit's or company's code) may contain, said once: the
import refuses the rest, the model validates it, and docs/data-formats.md explains it.

A code is the station's permanent key and goes into addresses (``/stations/<code>/``) and
file names, so it is kept to what survives both: ASCII letters and digits, then also
``.``, ``-`` and ``_``. A code stored before this rule (or written into the database
directly) may hold anything; the station URLs take any code (``<path:code>``), so such a
station still links and never takes a page down.
"""

from __future__ import annotations

import re

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

STATION_CODE_PATTERN = r"\A[A-Za-z0-9][A-Za-z0-9._-]*\Z"

validate_station_code = RegexValidator(
    STATION_CODE_PATTERN,
    _(
        "A station code is made of letters (A–Z, a–z) and digits, then also “.”, “-” and "
        "“_”; it starts with a letter or a digit."
    ),
    code="bad_station_code",
)


def is_station_code(text: str) -> bool:
    return re.match(STATION_CODE_PATTERN, text) is not None


#: The codes of the organisation tree (units, companies) go into addresses the same way,
#: so they are held to the same characters (``stations.orgrules``).
validate_org_code = RegexValidator(
    STATION_CODE_PATTERN,
    _(
        "An organisation code is made of letters (A–Z, a–z) and digits, then also “.”, “-” "
        "and “_”; it starts with a letter or a digit."
    ),
    code="bad_org_code",
)


def is_org_code(text: str) -> bool:
    return is_station_code(text)
