"""mapviews/gzipjoin.py: pieces compressed once, joined into one gzip member."""

from __future__ import annotations

import gzip
import zlib

import pytest

from mapviews.gzipjoin import gzipped, piece, plain

KEPT = ("<tr><td>梅林供电所</td><td>85.2</td></tr>\n" * 500).encode()


@pytest.mark.parametrize(
    "parts",
    [
        [b"<header>", piece(KEPT), b"</html>"],
        [piece(KEPT)],
        [b"", piece(b""), b"tail only"],
        [piece(b"a"), piece(KEPT), b"x" * 70_000, piece(b"z")],
        [],
    ],
)
@pytest.mark.parametrize("random_bytes", [0, 100])
def test_the_joined_member_decompresses_to_the_parts_in_order(parts, random_bytes):
    data = gzipped(parts, max_random_bytes=random_bytes)
    assert gzip.decompress(data) == plain(parts)
    # One member, nothing after it, its CRC and length checked by zlib.
    stream = zlib.decompressobj(16 + zlib.MAX_WBITS)
    assert stream.decompress(data) == plain(parts)
    assert stream.eof and stream.unused_data == b""


def test_a_kept_piece_is_laid_in_as_compressed():
    kept = piece(KEPT)
    data = gzipped([b"<header>", kept, b"</html>"])
    assert kept.deflated in data
    assert len(data) < len(KEPT) / 10


def test_the_random_name_varies_the_length():
    lengths = {len(gzipped([piece(KEPT)], max_random_bytes=100)) for _ in range(20)}
    assert len(lengths) > 1
