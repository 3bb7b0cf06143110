"""Content-Encoding decoders that stop a decompression bomb at a cap.

The fetcher reads the raw (still compressed) bytes and feeds them here chunk by
chunk. Every decompressor is asked for at most ``STEP`` bytes at a time, so one
small compressed chunk never turns into one huge allocation: output is counted
as it appears and :class:`DecodedTooLarge` is raised as soon as the total would
pass the cap. Stacked codings ("gzip, br") are undone in reverse order, piece by
piece, so the intermediate data is never held whole either.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

import brotli

#: Most bytes one decompressor call may produce.
STEP = 64 * 1024
#: The codings this module decodes, for the request's Accept-Encoding header.
ACCEPT_ENCODING = "gzip, deflate, br"

#: Most codings one body may stack ("gzip, br" is two).
MAX_CODINGS = 4

_GZIP_MAGIC = b"\x1f\x8b"
# Most compressed bytes handed to zlib in one call.
_INPUT_SLICE = 8 * 1024


class BodyDecodingError(ValueError):
    """A body could not be decoded according to its Content-Encoding."""


class DecodedTooLarge(BodyDecodingError):
    """The decoded body would grow past the cap (a decompression bomb, or just too big)."""


class UnsupportedEncoding(BodyDecodingError):
    """The Content-Encoding names a coding this module does not decode."""


class CorruptBody(BodyDecodingError):
    """The compressed data is invalid or ends before the end of its stream."""


class _Stage:
    """One coding: turns input pieces into output pieces of at most about ``STEP`` bytes."""

    def feed(self, data: bytes) -> Iterator[bytes]:
        raise NotImplementedError

    def finish(self) -> Iterator[bytes]:
        """Whatever is still buffered; raise :class:`CorruptBody` on a truncated stream."""
        return iter(())


class _Zlib(_Stage):
    """gzip (every member) or deflate, zlib-wrapped or raw, as browsers accept them."""

    def __init__(self, gzip: bool) -> None:
        self._gzip = gzip
        self._name = "gzip" if gzip else "deflate"
        self._inflater: zlib._Decompress | None = None  # made once the format is known
        self._pending = b""  # held until there are two bytes to tell the format by
        self._members = 0  # complete gzip members so far
        self._seen_input = False
        self._trailing = False  # past the end of the data: the rest is ignored

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._trailing or not data:
            return
        self._seen_input = True
        if self._pending:
            data, self._pending = self._pending + data, b""
        view = memoryview(data)
        pos = 0
        while pos < len(view):
            if self._inflater is None:
                if len(view) - pos < 2:
                    self._pending = bytes(view[pos:])
                    return
                self._inflater = self._start(bytes(view[pos : pos + 2]))
                if self._inflater is None:
                    self._trailing = True
                    return
            # zlib copies the input it has not used (unconsumed_tail, unused_data)
            # on every call; small slices keep that copying linear overall, even
            # for a chunk of thousands of tiny gzip members.
            piece = view[pos : pos + _INPUT_SLICE]
            yield from self._inflate(piece)
            if not self._inflater.eof:
                pos += len(piece)
                continue
            pos += len(piece) - len(self._inflater.unused_data)
            self._inflater = None
            if not self._gzip:
                self._trailing = True
                return
            # A gzip body may hold several members in a row: go on with the next.

    def _start(self, head: bytes) -> zlib._Decompress | None:
        """A decompressor for the stream starting with ``head``; None for trailing junk."""
        if self._gzip:
            if head == _GZIP_MAGIC:
                return zlib.decompressobj(16 + zlib.MAX_WBITS)
            if self._members:
                return None  # e.g. zero padding after the last member: browsers ignore it
            raise CorruptBody("the body is not gzip data (no gzip header)")
        # RFC 9110 says "deflate" is zlib-wrapped, but some servers send raw
        # deflate; browsers accept both, telling them apart by the zlib header.
        cmf, flg = head[0], head[1]
        zlib_wrapped = cmf & 0x0F == 8 and cmf >> 4 <= 7 and (cmf << 8 | flg) % 31 == 0
        return zlib.decompressobj(zlib.MAX_WBITS if zlib_wrapped else -zlib.MAX_WBITS)

    def _inflate(self, data: memoryview | bytes) -> Iterator[bytes]:
        inflater = self._inflater
        assert inflater is not None
        while True:
            try:
                out = inflater.decompress(data, STEP)
            except zlib.error as exc:
                raise CorruptBody(f"invalid {self._name} data: {exc}") from exc
            if out:
                yield out
            if inflater.eof:
                self._members += 1
                return
            data = inflater.unconsumed_tail
            # A full step may leave output inside zlib although all input was
            # taken, so ask again until a call returns less than a step.
            if not data and len(out) < STEP:
                return

    def finish(self) -> Iterator[bytes]:
        if self._trailing or not self._seen_input:
            return iter(())
        if self._inflater is None and self._members and len(self._pending) < 2:
            return iter(())  # one stray byte after a complete gzip member
        if self._inflater is None or not self._inflater.eof:
            raise CorruptBody(f"the {self._name} data ends before its end (truncated body?)")
        return iter(())


class _Brotli(_Stage):
    def __init__(self) -> None:
        self._decompressor = brotli.Decompressor()
        self._seen_input = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        if not data:
            return
        if self._decompressor.is_finished():
            # brotli exposes no "unused data", so bytes after the end cannot be
            # told from a corrupt stream when they come in the same chunk: refuse
            # them in every chunk alike.
            raise CorruptBody("data after the end of the brotli stream")
        self._seen_input = True
        try:
            out = self._decompressor.process(data, output_buffer_limit=STEP)
            # The decoder keeps what it could not yet use and hands out the rest
            # on calls with empty input, one bounded buffer at a time.
            while out:
                yield out
                if self._decompressor.is_finished():
                    return
                out = self._decompressor.process(b"", output_buffer_limit=STEP)
        except brotli.error as exc:
            raise CorruptBody(f"invalid brotli data: {exc}") from exc

    def finish(self) -> Iterator[bytes]:
        if self._seen_input and not self._decompressor.is_finished():
            raise CorruptBody("the brotli data ends before its end (truncated body?)")
        return iter(())


_STAGES = {
    "gzip": lambda: _Zlib(gzip=True),
    "x-gzip": lambda: _Zlib(gzip=True),
    "deflate": lambda: _Zlib(gzip=False),
    "br": _Brotli,
}


class Decoder:
    """Undoes a Content-Encoding chunk by chunk, never producing more than ``max_output``."""

    def __init__(self, codings: list[str], max_output: int) -> None:
        # Codings are listed in the order they were applied: undo the last first.
        self._stages = [_STAGES[coding]() for coding in reversed(codings)]
        self.max_output = max_output
        #: Decoded bytes produced so far.
        self.output_size = 0
        # Data between two stages is never held whole, but is capped as well:
        # a stream of empty deflate blocks could otherwise cost unbounded CPU
        # while producing no output. Real compressed data is at most slightly
        # larger than what it decodes to.
        self._between_cap = 2 * max_output + STEP
        self._between = [0] * len(self._stages)

    def decode(self, chunk: bytes) -> bytes:
        """The decoded bytes that ``chunk`` completes (possibly ``b""``)."""
        return self._collect(self._run(0, chunk))

    def flush(self) -> bytes:
        """The last decoded bytes; raise :class:`CorruptBody` if the data was cut short."""
        return self._collect(self._finish(0))

    def _run(self, index: int, data: bytes) -> Iterator[bytes]:
        if index == len(self._stages):
            yield data
            return
        for piece in self._stages[index].feed(data):
            yield from self._pass_on(index, piece)

    def _pass_on(self, index: int, piece: bytes) -> Iterator[bytes]:
        if index + 1 < len(self._stages):
            self._between[index] += len(piece)
            if self._between[index] > self._between_cap:
                raise DecodedTooLarge(
                    f"an inner coding of the body is larger than {self._between_cap} bytes"
                )
        yield from self._run(index + 1, piece)

    def _finish(self, index: int) -> Iterator[bytes]:
        if index == len(self._stages):
            return
        for piece in self._stages[index].finish():
            yield from self._pass_on(index, piece)
        yield from self._finish(index + 1)

    def _collect(self, pieces: Iterator[bytes]) -> bytes:
        out: list[bytes] = []
        for piece in pieces:
            # Counted before it is kept: a bomb stops within one step of the cap.
            self.output_size += len(piece)
            if self.output_size > self.max_output:
                raise DecodedTooLarge(
                    f"the decoded body is larger than the cap of {self.max_output} bytes"
                )
            out.append(piece)
        return b"".join(out)


def parse_content_encoding(content_encoding: str) -> list[str]:
    """The codings of a Content-Encoding value, in the order applied; identity left out."""
    codings = [part.strip().lower() for part in content_encoding.split(",")]
    return [coding for coding in codings if coding and coding != "identity"]


def make_decoder(content_encoding: str, max_output: int) -> Decoder:
    """A decoder for ``content_encoding`` (``""`` or "identity": bytes pass through).

    Raises :class:`UnsupportedEncoding` for a coding other than gzip, x-gzip,
    deflate, br and identity.
    """
    codings = parse_content_encoding(content_encoding)
    if len(codings) > MAX_CODINGS:
        raise UnsupportedEncoding(
            f"{len(codings)} stacked Content-Encodings; at most {MAX_CODINGS}"
        )
    unknown = [coding for coding in codings if coding not in _STAGES]
    if unknown:
        raise UnsupportedEncoding(f"unsupported Content-Encoding: {', '.join(unknown)}")
    return Decoder(codings, max_output)
