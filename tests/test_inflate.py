"""`app.api.inflate.GzipInflater`: gzip bodies of one or more members,
inflated in pieces under an output bound (RFC 1952, section 2.2)."""

from __future__ import annotations

import gzip
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.api.inflate import BadGzip, GzipInflater


def _inflate(data: bytes, chunk: int, bound: int) -> tuple[bytes, GzipInflater, int]:
    """`data` fed `chunk` bytes at a time in pieces of at most `bound`
    bytes, as the NDJSON reader does; (output, inflater, largest piece)."""
    g, out = GzipInflater(), []
    for k in range(0, len(data), chunk):
        out.extend(g.inflate(data[k:k + chunk], bound))
    return b"".join(out), g, max(map(len, out), default=0)


@settings(max_examples=200, deadline=None)
@given(parts=st.lists(st.binary(max_size=3000), min_size=1, max_size=5),
       padding=st.integers(0, 3), chunk=st.integers(1, 700), bound=st.integers(1, 5000),
       level=st.integers(0, 9))
def test_every_member_in_any_pieces(parts, padding, chunk, bound, level):
    # what zcat and gzip.decompress give, whatever the pieces and the bound;
    # no call returns more than the bound
    data = b"".join(gzip.compress(p, compresslevel=level) for p in parts) + b"\0" * padding
    out, g, largest = _inflate(data, chunk, bound)
    assert out == b"".join(parts) == gzip.decompress(data)
    assert g.eof and g.members == len(parts)
    assert largest <= bound


def test_pieces_before_a_fault_come_out_first():
    # the NDJSON stream answers the lines before the garbage, then the error
    g = GzipInflater()
    pieces = g.inflate(gzip.compress(b"line 1\n") + gzip.compress(b"line 2\n") + b"junk", 100)
    assert next(pieces) == b"line 1\n"
    assert next(pieces) == b"line 2\n"
    with pytest.raises(BadGzip):
        next(pieces)


@pytest.mark.parametrize("tail, said", [
    (b"junk", "neither another member nor zero padding (they start 6a75)"),
    (b"\0\0x", "(they start 78)"),  # padding, then garbage
    (gzip.compress(b"")[:10] + b"\xff\xff", "gzip member 2 does not inflate"),  # bad block
    (b"\x1fX", "(they start 1f58)"),
])
def test_bytes_after_a_member_that_start_no_member(tail, said):
    with pytest.raises(BadGzip, match=said.replace("(", r"\(").replace(")", r"\)")):
        _inflate(gzip.compress(b"ab") + tail, 3, 100)


@pytest.mark.parametrize("data", [
    gzip.compress(b"ab")[:-3],  # cut inside the trailer
    gzip.compress(b"ab") + b"\x1f",  # one byte of a next member
    gzip.compress(b"ab") + gzip.compress(b"cd")[:10],  # a second member cut short
])
def test_cut_body_is_not_at_its_end(data):
    # the route answers 422 "ends before its end" for these
    _, g, _ = _inflate(data, 4, 100)
    assert not g.eof


def test_not_gzip_at_all():
    with pytest.raises(BadGzip, match="gzip member 1 does not inflate"):
        list(GzipInflater().inflate(b"plain text", 10))


def test_inflating_stops_when_the_caller_stops():
    # a bomb split over members: a caller that stops at its limit has had
    # only the pieces it asked for inflated, whatever follows
    member = gzip.compress(b"a" * 1000)
    g = GzipInflater()
    pieces = g.inflate(member * 50, 700)
    taken = [next(pieces) for _ in range(4)]
    assert [len(p) for p in taken] == [700, 300, 700, 300]
    assert g.members == 2


def test_piece_size_must_be_positive():
    # zlib reads 0 as no bound at all: refused rather than obeyed
    with pytest.raises(ValueError):
        list(GzipInflater().inflate(gzip.compress(b"a"), 0))


def test_same_as_zlib_for_one_member():
    data = gzip.compress("第一部分。".encode())
    ref = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS).decompress(data)
    assert b"".join(GzipInflater().inflate(data, 1 << 20)) == ref == "第一部分。".encode()
