"""A gzip request body (``Content-Encoding: gzip``), inflated as it arrives.

RFC 1952, section 2.2: "A gzip file consists of a series of "members"
(compressed data sets)." `zcat`, GNU gzip and Python's `gzip.decompress`
inflate every member and join them; a `zlib.decompressobj` stops at the end
of the first and leaves the rest in ``unused_data``, which a server would
then drop without a word. `GzipInflater` goes on with the next member, so a
body made with ``cat a.gz b.gz`` inflates to both parts, and refuses bytes
after a member that do not start another (``1f 8b``). Zero bytes between or
after members are padding, skipped as GNU gzip and Python's `gzip` module
skip them (a tape's blocks); anything else there is `BadGzip`.

Output comes in pieces of a bounded size, lazily, so a caller that counts
them stops inflating a gzip bomb at its limit, however many members the
bomb is split over.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

_MAGIC = b"\x1f\x8b"  # RFC 1952, section 2.3.1: ID1 ID2


class BadGzip(ValueError):
    """The body is not gzip: a member does not inflate, or bytes after a
    member are neither zero padding nor another member."""


class GzipInflater:
    """Inflates a gzip stream of one or more members, fed in pieces.

    >>> import gzip
    >>> g = GzipInflater()
    >>> b"".join(g.inflate(gzip.compress(b"ab") + gzip.compress(b"cd"), 100)), g.eof, g.members
    (b'abcd', True, 2)
    >>> list(GzipInflater().inflate(gzip.compress(b"ab") + b"junk", 100))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    app.api.inflate.BadGzip: the bytes after gzip member 1 are neither ... (they start 6a75)
    """

    def __init__(self) -> None:
        self._member = None  # the zlib decompressor of the member being inflated
        self._held = b""  # a lone 1f after a member: the next member's first byte, or not
        self.members = 0  # members inflated to their end

    @property
    def eof(self) -> bool:
        """Whether the input so far ends at the end of a member (the body is
        complete if nothing more comes)."""
        return self.members > 0 and self._member is None and not self._held

    def inflate(self, data: bytes, piece_bytes: int) -> Iterator[bytes]:
        """Inflate the next bytes of the body.

        Args:
            data: the next bytes of the body, as they arrived.
            piece_bytes: most bytes of each piece yielded (> 0).

        Yields:
            The inflated bytes, in pieces of 1 to `piece_bytes` bytes, each
            inflated only when asked for: a caller that stops asking stops
            the inflating.

        Raises:
            BadGzip: where the bytes stop being gzip (a member that does not
                inflate: zlib's message; bytes after a member that are
                neither zero padding nor a new member), after every piece
                before that point has been yielded.
            ValueError: `piece_bytes` is not positive (zlib would read 0
                as "no bound").
        """
        if piece_bytes <= 0:
            raise ValueError("piece_bytes must be positive")
        data = self._held + data
        self._held = b""
        while data:
            if self._member is None:
                if self.members:  # between members: padding, or the next member
                    data = data.lstrip(b"\x00")
                    if data == _MAGIC[:1]:
                        self._held = data
                        return
                    if data and not data.startswith(_MAGIC):
                        raise BadGzip(f"the bytes after gzip member {self.members} are neither "
                                      f"another member nor zero padding (they start "
                                      f"{data[:2].hex()})")
                    if not data:
                        return
                self._member = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
            try:
                piece = self._member.decompress(data, piece_bytes)
            except zlib.error as exc:
                raise BadGzip(f"gzip member {self.members + 1} does not inflate: {exc}") from None
            if self._member.eof:
                data = self._member.unused_data
                self._member = None
                self.members += 1
            else:
                data = self._member.unconsumed_tail  # empty: it took all of `data`
            if piece:
                yield piece
