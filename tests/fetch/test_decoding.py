"""Bounded Content-Encoding decoders: round trips, bombs, corrupt and truncated data."""

from __future__ import annotations

import functools
import gzip
import random
import struct
import time
import tracemalloc
import zlib
from collections.abc import Iterable

import brotli
import httpx
import pytest

from tests.support.httpserver import FixtureServer, Route
from wirebrief.fetch.decoding import (
    STEP,
    BodyDecodingError,
    CorruptBody,
    DecodedTooLarge,
    Decoder,
    UnsupportedEncoding,
    make_decoder,
    parse_content_encoding,
)

MIB = 1024 * 1024
# Text-like and incompressible parts, several STEPs long once decoded.
PAYLOAD = b"".join(
    [b"<p>Harbour news, paragraph %d.</p>\n" % i for i in range(8000)]
    + [random.Random(7).randbytes(100_000)]
)


def raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


@functools.cache
def zeros_gzip(size: int) -> bytes:
    """gzip of ``size`` zero bytes, compressed piecewise so the test never holds them."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(MIB)
    parts = [compressor.compress(block) for _ in range(size // MIB)]
    return b"".join(parts) + compressor.flush()


ENCODERS = {
    "gzip": gzip.compress,
    "x-gzip": gzip.compress,
    "deflate": zlib.compress,  # zlib-wrapped, as RFC 9110 says
    "br": lambda data: brotli.compress(data, quality=5),  # quality 11 is slow to write
}


def chunks(data: bytes, size: int) -> Iterable[bytes]:
    return (data[i : i + size] for i in range(0, len(data), size))


def decode_all(decoder: Decoder, data: bytes, chunk_size: int = 16 * 1024) -> bytes:
    out = [decoder.decode(chunk) for chunk in chunks(data, chunk_size)]
    return b"".join(out) + decoder.flush()


@pytest.mark.parametrize("coding", sorted(ENCODERS))
@pytest.mark.parametrize("chunk_size", [1, 7, 4096, 10 * MIB])
def test_round_trip(coding: str, chunk_size: int) -> None:
    data = PAYLOAD if chunk_size > 1 else PAYLOAD[:20_000]  # 1-byte chunks are slow in pure loops
    decoder = make_decoder(coding, max_output=10 * MIB)

    assert decode_all(decoder, ENCODERS[coding](data), chunk_size) == data
    assert decoder.output_size == len(data)


@pytest.mark.parametrize("chunk_size", [1, 3, 4096])
def test_raw_deflate_as_browsers_accept_it(chunk_size: int) -> None:
    data = PAYLOAD[:50_000]

    assert decode_all(make_decoder("deflate", 10 * MIB), raw_deflate(data), chunk_size) == data


@pytest.mark.parametrize("content_encoding", ["", "identity", " Identity ", "identity, identity"])
def test_identity_passes_bytes_through(content_encoding: str) -> None:
    assert decode_all(make_decoder(content_encoding, 10 * MIB), PAYLOAD) == PAYLOAD


def test_coding_names_are_case_and_space_insensitive() -> None:
    assert decode_all(make_decoder(" GZip ", 10 * MIB), gzip.compress(PAYLOAD)) == PAYLOAD


def test_stacked_codings_are_undone_in_reverse_order() -> None:
    # "gzip, br": gzip was applied first, then br.
    body = brotli.compress(gzip.compress(PAYLOAD), quality=5)

    assert decode_all(make_decoder("gzip, br", 10 * MIB), body) == PAYLOAD
    assert (
        decode_all(make_decoder("deflate, gzip", 10 * MIB), gzip.compress(zlib.compress(PAYLOAD)))
        == PAYLOAD
    )
    assert parse_content_encoding("gzip, identity, br") == ["gzip", "br"]


def test_output_exactly_at_the_cap_is_allowed() -> None:
    body = gzip.compress(PAYLOAD)

    assert decode_all(make_decoder("gzip", len(PAYLOAD)), body) == PAYLOAD
    with pytest.raises(DecodedTooLarge):
        decode_all(make_decoder("gzip", len(PAYLOAD) - 1), body)


def test_identity_is_capped_too() -> None:
    with pytest.raises(DecodedTooLarge):
        decode_all(make_decoder("identity", 1000), PAYLOAD)


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br"])
def test_bomb_stops_at_the_cap_without_allocating_the_output(coding: str) -> None:
    if coding == "gzip":
        # 64 members of 16 MiB of zeros: 1 GiB decoded from about 1 MiB.
        bomb = zeros_gzip(16 * MIB) * 64
    elif coding == "deflate":
        # The gzip bomb's deflate data, zlib-wrapped: same stream, other framing.
        deflate_data = zeros_gzip(16 * MIB)[10:-8]
        bomb = b"\x78\x9c" + deflate_data + struct.pack(">I", zlib.adler32(bytes(16 * MIB)))
    else:
        bomb = brotli.compress(bytes(16 * MIB), quality=5)
    cap = MIB
    decoder = make_decoder(coding, max_output=cap)

    tracemalloc.start()
    try:
        with pytest.raises(DecodedTooLarge):
            decoder.decode(bomb)  # the whole bomb in one call
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert cap < decoder.output_size <= cap + 2 * STEP
    assert peak < cap + 8 * STEP  # the kept output plus a few steps, never the whole


def test_stacked_bomb_stops_at_the_cap() -> None:
    bomb = brotli.compress(zeros_gzip(16 * MIB), quality=5)

    with pytest.raises(DecodedTooLarge):
        decode_all(make_decoder("gzip, br", MIB), bomb)


def test_inner_coding_that_decodes_to_nothing_is_capped() -> None:
    # A gzip member of a million empty deflate blocks: 5 MB that decode to nothing,
    # wrapped in br. The inner stream alone is capped, so it cannot burn CPU forever.
    empty_blocks = b"\x00\x00\x00\xff\xff" * 1_000_000 + b"\x01\x00\x00\xff\xff"
    member = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + empty_blocks + struct.pack("<II", 0, 0)
    assert gzip.decompress(member) == b""

    with pytest.raises(DecodedTooLarge, match="inner coding"):
        decode_all(make_decoder("gzip, br", MIB), brotli.compress(member, quality=5))


def test_multi_member_gzip_is_read_whole() -> None:
    body = gzip.compress(b"first member, ") + gzip.compress(b"second member")

    assert decode_all(make_decoder("gzip", MIB), body, 5) == b"first member, second member"


@pytest.mark.parametrize("trailer", [b"\x00" * 8, b"<html>junk</html>", b"\x1f"])
def test_bytes_after_the_gzip_stream_are_ignored(trailer: bytes) -> None:
    assert decode_all(make_decoder("gzip", MIB), gzip.compress(PAYLOAD) + trailer) == PAYLOAD


def test_bytes_after_the_deflate_stream_are_ignored() -> None:
    assert decode_all(make_decoder("deflate", MIB), zlib.compress(b"abc") + b"junk") == b"abc"


@pytest.mark.parametrize("chunk_size", [1, 4096])
def test_bytes_after_the_brotli_stream_are_refused(chunk_size: int) -> None:
    # brotli reports no unused input, so trailing bytes cannot be told from corruption.
    with pytest.raises(CorruptBody):
        decode_all(make_decoder("br", MIB), brotli.compress(b"abc") + b"junk", chunk_size)


def test_many_tiny_gzip_members_in_one_chunk_decode_in_linear_time() -> None:
    body = gzip.compress(b"x") * 50_000  # about 1 MB

    started = time.perf_counter()
    assert decode_all(make_decoder("gzip", MIB), body, len(body)) == b"x" * 50_000
    assert time.perf_counter() - started < 2.0


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br", "gzip, br"])
def test_empty_body(coding: str) -> None:
    decoder = make_decoder(coding, MIB)

    assert decoder.decode(b"") == b""
    assert decoder.flush() == b""


@pytest.mark.parametrize(
    ("coding", "body"),
    [
        ("gzip", b"<html>not compressed at all</html>"),
        ("gzip", gzip.compress(PAYLOAD)[:10] + b"\xff" * 200),
        ("gzip", gzip.compress(PAYLOAD)[:-8] + b"\x00\x00\x00\x00" + gzip.compress(PAYLOAD)[-4:]),
        ("deflate", b"\xff" * 200),
        ("deflate", zlib.compress(PAYLOAD)[:-4] + b"\x00\x00\x00\x00"),
        ("br", b"<html>not brotli</html>" * 10),
    ],
    ids=[
        "gzip-plain-text",
        "gzip-garbage",
        "gzip-bad-crc",
        "deflate-garbage",
        "deflate-bad-adler",
        "br-garbage",
    ],
)
def test_corrupt_data(coding: str, body: bytes) -> None:
    with pytest.raises(CorruptBody):
        decode_all(make_decoder(coding, 10 * MIB), body)


@pytest.mark.parametrize("coding", sorted(ENCODERS))
def test_truncated_stream_is_reported_on_flush(coding: str) -> None:
    body = ENCODERS[coding](PAYLOAD)
    decoder = make_decoder(coding, 10 * MIB)

    decoded = decoder.decode(body[: len(body) // 2])
    with pytest.raises(CorruptBody, match="truncated"):
        decoder.flush()
    assert PAYLOAD.startswith(decoded)


@pytest.mark.parametrize(
    "content_encoding", ["compress", "zstd", "gzip, sdch", "gzip, gzip, gzip, gzip, gzip"]
)
def test_unsupported_encodings(content_encoding: str) -> None:
    with pytest.raises(UnsupportedEncoding):
        make_decoder(content_encoding, MIB)


def test_errors_are_value_errors() -> None:
    for error in (DecodedTooLarge, UnsupportedEncoding, CorruptBody):
        assert issubclass(error, BodyDecodingError)
        assert issubclass(error, ValueError)


def test_streamed_raw_body_from_a_server() -> None:
    body = gzip.compress(PAYLOAD)
    routes = {
        "/article": Route(body, headers={"Content-Encoding": "gzip"}, chunks=37),
        "/bomb": Route(zeros_gzip(16 * MIB), headers={"Content-Encoding": "gzip"}, chunks=8),
    }
    with FixtureServer(routes) as server, httpx.Client(trust_env=False) as client:
        with client.stream("GET", server.url("/article")) as response:
            decoder = make_decoder(response.headers["content-encoding"], 10 * MIB)
            decoded = b"".join(decoder.decode(raw) for raw in response.iter_raw()) + decoder.flush()
        assert decoded == PAYLOAD

        with client.stream("GET", server.url("/bomb")) as response:
            decoder = make_decoder(response.headers["content-encoding"], MIB)
            with pytest.raises(DecodedTooLarge):
                for raw in response.iter_raw():
                    decoder.decode(raw)
