"""Texts the code stores and the pages show: the role groups' names, the reasons the
set-up and data migrations write ("Initial equal weights").

They are stored as written, in English, once for every reader, so the database never
holds one language's words for another's reader. Each app registers the translated label
of the texts it stores (in its ``ready``), and every page shows a stored text through
``stored_text``: the audit trail, the version lists, the indicator list. A text nobody
registered (a reason a person typed) is shown as it was typed.
"""

from __future__ import annotations

from collections.abc import Mapping

_LABELS: dict[str, object] = {}


def register(labels: Mapping[str, object]) -> None:
    """Stored text → its label (a lazy translation)."""
    _LABELS.update(labels)


def stored_text(value: str) -> str:
    """The stored text in the reader's language, or as typed when it is not the code's."""
    label = _LABELS.get(value)
    return value if label is None else str(label)
