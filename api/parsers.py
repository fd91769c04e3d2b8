"""The bodies a batch of values may come in; each is kept raw for the import path."""

from __future__ import annotations

from rest_framework.parsers import BaseParser

from api.batches import CSV, JSON, XLSX, ValuesBody

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _RawParser(BaseParser):
    kind = ""

    def parse(self, stream, media_type=None, parser_context=None) -> ValuesBody:
        data = stream.read() if stream is not None else b""
        return ValuesBody(self.kind, data)


class JSONValuesParser(_RawParser):
    media_type = "application/json"
    kind = JSON


class CSVValuesParser(_RawParser):
    media_type = "text/csv"
    kind = CSV


class XLSXValuesParser(_RawParser):
    media_type = XLSX_MEDIA_TYPE
    kind = XLSX
