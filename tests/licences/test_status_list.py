"""Status lists: two bits per licence in W3C bit order, the W3C encodedList, refusing bombs, random
indexes, and the signed document."""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yiwang.licences import seal, status_list
from yiwang.licences.status_list import BITS, LENGTH, SIZE, StatusListError

PAIR = seal.generate()
KID = seal.key_id(PAIR.public)

indexes = st.integers(0, LENGTH - 1)
values = st.integers(0, 3)
operations = st.lists(st.tuples(indexes, values), max_size=40)


def reference_status(bits: bytes, index: int) -> int:
    """The W3C reading, written independently: the bitstring as one big-endian number, entry i the
    BITS bits starting i*BITS bits from the most significant end."""
    return (int.from_bytes(bits, "big") >> (LENGTH * BITS - (index + 1) * BITS)) & ((1 << BITS) - 1)


def test_sizes_and_values():
    assert (LENGTH, BITS, SIZE) == (131072, 2, 32768)
    assert (status_list.VALID, status_list.SUSPENDED, status_list.REVOKED, status_list.INVALID) == (
        0,
        1,
        2,
        3,
    )
    assert set(status_list.MESSAGES) == {0, 1, 2, 3}
    bits = status_list.new()
    assert isinstance(bits, bytearray) and bits == bytearray(SIZE)


def test_bit_order_is_the_w3c_one():
    bits = status_list.new()
    status_list.set_status(bits, 0, 3)
    assert bits[0] == 0b1100_0000
    status_list.set_status(bits, 3, 1)
    assert bits[0] == 0b1100_0001
    status_list.set_status(bits, 4, 2)
    assert bits[1] == 0b1000_0000
    status_list.set_status(bits, LENGTH - 1, 2)
    assert bits[-1] == 0b0000_0010
    for index in (0, 3, 4, 5, LENGTH - 1):
        assert status_list.get_status(bits, index) == reference_status(bytes(bits), index)


@settings(max_examples=50)
@given(operations)
def test_set_then_get_leaves_neighbours_alone(ops):
    bits = status_list.new()
    model: dict[int, int] = {}
    for index, value in ops:
        status_list.set_status(bits, index, value)
        model[index] = value
    frozen = bytes(bits)
    for index, _value in ops:
        for neighbour in range(max(0, index - 4), min(LENGTH, index + 5)):
            expected = model.get(neighbour, 0)
            assert status_list.get_status(bits, neighbour) == expected
            assert reference_status(frozen, neighbour) == expected
    assert sum(1 for b in frozen if b) <= len(model)


@given(indexes, values, values)
def test_overwriting_an_entry(index, first, second):
    bits = status_list.new()
    status_list.set_status(bits, index, first)
    status_list.set_status(bits, index, second)
    assert status_list.get_status(bits, index) == second
    assert bits.count(0) >= SIZE - 1


@pytest.mark.parametrize("index", [-1, LENGTH, LENGTH * 10, True, 1.0, "1", None])
def test_out_of_range_indexes(index):
    with pytest.raises(IndexError):
        status_list.get_status(status_list.new(), index)
    with pytest.raises(IndexError):
        status_list.set_status(status_list.new(), index, 1)


@pytest.mark.parametrize("value", [-1, 4, True, "1", None])
def test_bad_values(value):
    with pytest.raises(ValueError):
        status_list.set_status(status_list.new(), 0, value)


@settings(max_examples=30)
@given(operations)
def test_encode_then_decode_round_trips(ops):
    bits = status_list.new()
    for index, value in ops:
        status_list.set_status(bits, index, value)
    text = status_list.encode(bits)
    assert text.startswith("u") and "=" not in text
    assert set(text[1:]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert status_list.decode(text) == bytes(bits)
    # What any W3C client does: multibase "u", base64url, gunzip.
    body = text[1:]
    assert gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))) == bytes(bits)
    assert status_list.encode(bits) == text  # deterministic (gzip time zero)


def test_an_empty_list_is_tiny():
    text = status_list.encode(status_list.new())
    print(f"\nempty status list: {len(text)} characters")
    assert len(text) < 1024


def test_a_busy_list_is_still_a_small_download():
    bits = status_list.new()
    for index in range(0, LENGTH, 13):  # 10,083 licences not valid
        status_list.set_status(bits, index, 1 + index % 3)
    text = status_list.encode(bits)
    assert len(text) < status_list.MAX_ENCODED and status_list.decode(text) == bytes(bits)


def _encoded(data: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(data).decode().rstrip("=")


MALFORMED_LISTS = [
    "",
    "u",
    "H4sI",  # no multibase prefix
    status_list.encode(status_list.new())[1:],
    "z" + status_list.encode(status_list.new())[1:],
    status_list.encode(status_list.new()) + "=",
    status_list.encode(status_list.new()) + "!",
    "u" + "A" * 5,  # base64 of the wrong length
    _encoded(b"not gzip"),
    _encoded(gzip.compress(bytes(SIZE - 1))),
    _encoded(gzip.compress(bytes(SIZE + 1))),
    _encoded(gzip.compress(bytes(10_000_000))),  # a bomb
    _encoded(gzip.compress(bytes(SIZE))[:-3]),  # truncated
    _encoded(gzip.compress(bytes(SIZE)) + b"trailing"),
    _encoded(gzip.compress(bytes(SIZE)) + gzip.compress(b"")),  # a second member
    _encoded(zlib.compress(bytes(SIZE))),  # zlib, not gzip
    "u" + "A" * 60_000,
    None,
    b"uH4sI",
]


@pytest.mark.parametrize("text", MALFORMED_LISTS, ids=[f"case{i}" for i in range(len(MALFORMED_LISTS))])
def test_decode_refuses_malformed_lists(text):
    with pytest.raises(StatusListError):
        status_list.decode(text)


@given(st.text(max_size=200))
def test_decode_raises_only_status_list_error(text):
    with pytest.raises(StatusListError):
        status_list.decode(text)
    with pytest.raises(StatusListError):
        status_list.decode("u" + text)


def test_encode_refuses_the_wrong_size():
    with pytest.raises(StatusListError):
        status_list.encode(bytes(SIZE - 1))


def test_random_index_avoids_taken_ones():
    taken = set(range(0, LENGTH, 2))
    drawn = {status_list.random_index(taken.__contains__) for _ in range(200)}
    assert all(index % 2 == 1 and 0 <= index < LENGTH for index in drawn)
    assert len(drawn) > 190  # spread over the list, not issue order


def test_random_index_draws_from_the_whole_list_and_gives_up_when_full(monkeypatch):
    calls = []

    def randbelow(n):
        calls.append(n)
        return LENGTH - 1

    monkeypatch.setattr(status_list.secrets, "randbelow", randbelow)
    assert status_list.random_index(lambda index: False) == LENGTH - 1
    assert calls == [LENGTH]
    calls.clear()
    with pytest.raises(StatusListError):
        status_list.random_index(lambda index: True)
    assert len(calls) == status_list.RANDOM_TRIES == 64


# --- The signed document -------------------------------------------------------------------------------

ISSUED = dt.datetime(2025, 6, 1, 8, 30, tzinfo=dt.UTC)


def make(bits=None, issued_at=ISSUED, ttl=86400):
    return status_list.make_document(
        "11159900MB1234567X",
        "青山市市场监督管理局",
        bits if bits is not None else status_list.new(),
        issued_at,
        ttl,
        KID,
        lambda data: seal.sign(PAIR.private, data),
    )


def test_document_fields_and_signature():
    bits = status_list.new()
    status_list.set_status(bits, 7, status_list.REVOKED)
    doc = make(bits)
    assert set(doc) == {
        "type",
        "issuer_code",
        "issuer",
        "bits",
        "length",
        "encoded_list",
        "issued_at",
        "valid_until",
        "kid",
        "signature",
    }
    assert doc["type"] == "YiwangStatusList" and doc["bits"] == 2 and doc["length"] == LENGTH
    assert doc["issued_at"] == "2025-06-01T08:30:00Z" and doc["valid_until"] == "2025-06-02T08:30:00Z"
    assert doc["kid"] == KID.hex()
    assert status_list.get_status(status_list.decode(doc["encoded_list"]), 7) == status_list.REVOKED
    signed = status_list.document_signing_bytes(doc)
    unsigned = {k: v for k, v in doc.items() if k != "signature"}
    assert signed == json.dumps(unsigned, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert "青山市".encode() in signed and b"signature" not in signed
    assert seal.verify(PAIR.public, signed, bytes.fromhex(doc["signature"]))
    # Through JSON (the database, the download) and back, it still verifies.
    again = json.loads(json.dumps(doc))
    assert seal.verify(
        PAIR.public, status_list.document_signing_bytes(again), bytes.fromhex(again["signature"])
    )


def test_a_changed_document_fails_its_signature():
    doc = make()
    bits = status_list.new()
    status_list.set_status(bits, 7, status_list.REVOKED)
    for key, value in [
        ("encoded_list", status_list.encode(bits)),
        ("valid_until", "2099-01-01T00:00:00Z"),
        ("issuer_code", "11159900MB7654321X"),
    ]:
        changed = {**doc, key: value}
        signed = status_list.document_signing_bytes(changed)
        assert not seal.verify(PAIR.public, signed, bytes.fromhex(changed["signature"]))


def test_times_are_written_in_utc():
    beijing = dt.timezone(dt.timedelta(hours=8))
    doc = make(issued_at=dt.datetime(2025, 6, 1, 16, 30, 0, 250000, tzinfo=beijing), ttl=3600)
    assert doc["issued_at"] == "2025-06-01T08:30:00.250000Z"
    assert doc["valid_until"] == "2025-06-01T09:30:00.250000Z"
    with pytest.raises(ValueError):
        make(issued_at=dt.datetime(2025, 6, 1, 8, 30))  # naive
