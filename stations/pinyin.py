"""Chinese names as pinyin: the key they sort by and the keys a search matches.

Code points put 东吴, 临山, 九龙湖 in an order no reader expects; a Chinese reader looks
names up by pinyin (东吴 dōngwú, 九龙湖 jiǔlónghú, 临山 línshān). Stations and counties
store these keys (``stations.models``), so lists sort and the header's search matches
in SQL; other names (a user's) are sorted with ``sort_key`` in Python.

pypinyin ships its dictionary in the package: nothing is fetched, it works offline.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TypeVar

from pypinyin import Style, lazy_pinyin

T = TypeVar("T")

#: What a key keeps: lower-case ASCII letters and digits (every database collation orders
#: these alike: digits before letters).
_KEPT = re.compile(r"[^a-z0-9]+")
#: Longest stored keys: 100 characters of name, at most six letters and a tone each.
SORT_KEY_LENGTH = 700
PINYIN_LENGTH = 600
INITIALS_LENGTH = 100


def _syllables(text: str, style: Style) -> list[str]:
    # Latin letters and digits pass through as they are; other characters are dropped.
    parts = lazy_pinyin(text, style=style, neutral_tone_with_five=True, errors="default")
    return [_KEPT.sub("", part.lower()) for part in parts]


def sort_key(text: str) -> str:
    """The key a name sorts by: its syllables with their tones ("dong1wu2"), so names
    sort as in a dictionary (by sound, then by tone: 李 li3 before 林 lin2)."""
    return "".join(_syllables(text, Style.TONE3))[:SORT_KEY_LENGTH]


def full_pinyin(text: str) -> str:
    """What a search for the whole sound matches: "meilingongdiansuo"."""
    return "".join(_syllables(text, Style.NORMAL))[:PINYIN_LENGTH]


def initials(text: str) -> str:
    """What a search by first letters matches: 梅林供电所 → "mlgds"."""
    return "".join(part[:1] for part in _syllables(text, Style.NORMAL))[:INITIALS_LENGTH]


def search_text(text: str) -> str:
    """A query as the keys are written: lower case, letters and digits only."""
    return _KEPT.sub("", text.lower())


def by_pinyin(items: Iterable[T], name: Callable[[T], str]) -> list[T]:
    """``items`` sorted by the pinyin of ``name(item)`` (then by the name itself)."""
    return sorted(items, key=lambda item: (sort_key(name(item)), name(item)))


def user_name(user) -> str:
    """The name a list shows for a user: their full name, else their user name."""
    return user.get_full_name() or user.username


def users_by_pinyin(users: Iterable[T]) -> list[T]:
    """Users in the order a list shows them: by the pinyin of their name."""
    return by_pinyin(users, user_name)
