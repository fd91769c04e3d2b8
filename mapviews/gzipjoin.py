"""Gzip answers whose large parts are compressed once, not on every request.

A kept page body or a month's figure is the same for thousands of requests, but the
answer around it (the header, the viewer's outline) is each request's own; compressing
the whole answer again costs more than everything else a kept page does. Deflate data
may be cut into pieces: a piece compressed on its own with a fresh compressor and ended
by a *sync flush* ends on a byte boundary without marking the end of the stream, so
pieces can be laid one after another and closed by a final empty block. The gzip
member around them needs the CRC-32 and length of the whole text, so a piece keeps its
text too (CRC-32 runs at gigabytes per second: far cheaper than compressing).

No piece refers back to another's text, so a secret in one (a CSRF token in the
header) never shortens another's compressed length; the gzip header may carry a random
file name of random length, as Django's ``GZipMiddleware`` does against BREACH.
"""

from __future__ import annotations

import secrets
import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

#: zlib's default level, as ``gzip`` and Django's middleware use.
LEVEL = 6
#: A final empty block (fixed Huffman, end of block at once): closes the deflate stream.
_FINAL_BLOCK = b"\x03\x00"
_GZIP_MAGIC = b"\x1f\x8b\x08"
_FLAG_NAME = 0x08
_OS_UNKNOWN = 255


@dataclass(frozen=True)
class Piece:
    """A text and its deflate data, compressed once (``piece``)."""

    text: bytes
    deflated: bytes


def piece(text: bytes) -> Piece:
    """``text`` compressed on its own, ending byte-aligned and not final."""
    return Piece(text, _deflate(text))


def _deflate(text: bytes) -> bytes:
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(text) + compressor.flush(zlib.Z_SYNC_FLUSH)


def plain(parts: Iterable[bytes | Piece]) -> bytes:
    """The parts' texts, one after another."""
    return b"".join(part.text if isinstance(part, Piece) else part for part in parts)


def gzipped(parts: Iterable[bytes | Piece], *, max_random_bytes: int = 0) -> bytes:
    """One gzip member of the parts' texts in order: a ``Piece`` is laid in as it was
    compressed, other bytes are compressed here. ``max_random_bytes``: a random file name
    of up to that many bytes in the header (Django's BREACH mitigation)."""
    crc = 0
    size = 0
    body = []
    for part in parts:
        text, data = (part.text, part.deflated) if isinstance(part, Piece) else (part, None)
        if not text:
            continue
        crc = zlib.crc32(text, crc)
        size += len(text)
        body.append(data if data is not None else _deflate(text))
    return _header(max_random_bytes) + b"".join(body) + _FINAL_BLOCK + _trailer(crc, size)


def _header(max_random_bytes: int) -> bytes:
    if not max_random_bytes:
        return _GZIP_MAGIC + bytes([0, 0, 0, 0, 0, 0, _OS_UNKNOWN])
    # A file name is a zero-terminated Latin-1 string: random bytes without a zero.
    name = secrets.token_bytes(secrets.randbelow(max_random_bytes) + 1).replace(b"\x00", b"")
    return _GZIP_MAGIC + bytes([_FLAG_NAME, 0, 0, 0, 0, 0, _OS_UNKNOWN]) + name + b"\x00"


def _trailer(crc: int, size: int) -> bytes:
    return struct.pack("<II", crc & 0xFFFFFFFF, size & 0xFFFFFFFF)
