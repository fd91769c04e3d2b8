"""A defect found in an input file, and the error that rejects the file whole."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.utils.translation import gettext as _

#: How many defects are listed before the rest are summarised as "and N more".
MAX_LISTED_DEFECTS = 200


@dataclass(frozen=True)
class Defect:
    """One problem in a file. ``line`` counts from 1 (the header); None = the whole file."""

    code: str
    message: str
    line: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        if self.line is not None and self.column:
            where = _("line %(line)d, column %(column)s") % {
                "line": self.line,
                "column": self.column,
            }
        elif self.line is not None:
            where = _("line %(line)d") % {"line": self.line}
        elif self.column:
            where = _("column %(column)s") % {"column": self.column}
        else:
            return self.message
        return f"{where}: {self.message}"


def _file_line(line: int) -> str:
    return _("line %(line)d") % {"line": line}


#: How a message names another line of the same input ("line 7"): an input numbered
#: otherwise (the API's JSON, by position in its list) names it its own way.
_LINE_NAMER: ContextVar[Callable[[int], str]] = ContextVar("line_namer", default=_file_line)


def other_line(line: int) -> str:
    """Another line of the input, as a message names it (``naming_lines``)."""
    return _LINE_NAMER.get()(line)


@contextmanager
def naming_lines(namer: Callable[[int], str]) -> Iterator[None]:
    """Messages made inside name other lines with ``namer`` (given the file's line)."""
    token = _LINE_NAMER.set(namer)
    try:
        yield
    finally:
        _LINE_NAMER.reset(token)


def repeated_code(code: str, first_line: int, line: int, column: str = "indicator_code") -> Defect:
    """A code given a second time in one file (the first one counts)."""
    return Defect(
        "duplicate_indicator",
        _("%(code)s was already given on line %(line)d") % {"code": code, "line": first_line},
        line=line,
        column=column,
    )


class FileRejected(Exception):
    """The file was refused as a whole; nothing was written."""

    def __init__(self, file_name: str, defects: list[Defect]):
        self.file_name = file_name
        self.defects = defects
        super().__init__(self.report())

    def report(self) -> str:
        head = _("%(file)s was rejected, nothing was written (%(count)d problems):") % {
            "file": self.file_name,
            "count": len(self.defects),
        }
        lines = [head] + [f"  {defect}" for defect in self.defects[:MAX_LISTED_DEFECTS]]
        hidden = len(self.defects) - MAX_LISTED_DEFECTS
        if hidden > 0:
            lines.append("  " + _("… and %(count)d more") % {"count": hidden})
        return "\n".join(lines)
