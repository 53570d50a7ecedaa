"""The C extension behind `seal.verify` (`yiwang.licences._sm2`, ADR 0017): its double scalar
multiplication against plain integer arithmetic on the curve, and its verdicts against Tongsuo's and
gmalg's, for genuine, tampered and malformed signatures and keys."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yiwang.licences import seal
from yiwang.licences.seal import CURVE_ORDER as N

if not seal.FAST:
    if os.environ.get("CI") == "true":
        pytest.fail("the SM2 extension was not compiled: CI must build it (`make install`)")
    pytest.skip("the SM2 extension is not compiled here (no C compiler at install)", allow_module_level=True)

from yiwang.licences import _sm2

PRIME = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF
B = int.from_bytes(seal._CURVE_B, "big")
G = (int.from_bytes(seal.GENERATOR[1:33], "big"), int.from_bytes(seal.GENERATOR[33:], "big"))
KEYS = [seal.generate() for _ in range(4)]
scalars = st.integers(min_value=0, max_value=2**256 - 1)
# Scalars whose bytes sit where the signed recoding turns (128 stays, 129 borrows, 255 carries).
edgy_scalars = st.lists(st.sampled_from([0, 1, 127, 128, 129, 254, 255]), min_size=32, max_size=32).map(
    lambda b: int.from_bytes(bytes(b), "big")
)


def _add(p, q):
    """Affine addition by the textbook formulas (None is the point at infinity)."""
    if p is None:
        return q
    if q is None:
        return p
    if p[0] == q[0] and (p[1] + q[1]) % PRIME == 0:
        return None
    if p == q:
        slope = (3 * p[0] * p[0] - 3) * pow(2 * p[1], -1, PRIME)
    else:
        slope = (q[1] - p[1]) * pow(q[0] - p[0], -1, PRIME)
    x = (slope * slope - p[0] - q[0]) % PRIME
    return x, (slope * (p[0] - x) - p[1]) % PRIME


def _times(k, p):
    result = None
    while k:
        if k & 1:
            result = _add(result, p)
        p = _add(p, p)
        k >>= 1
    return result


def _point(encoded: bytes):
    return int.from_bytes(encoded[1:33], "big"), int.from_bytes(encoded[33:], "big")


def _mul2(ka: int, a: bytes, kb: int, b: bytes) -> bytes | None:
    """The affine x (32 bytes) of the extension's Jacobian X ‖ Z², None for infinity."""
    point = _sm2.mul2(_sm2.table(a), ka.to_bytes(32, "big"), _sm2.table(b), kb.to_bytes(32, "big"))
    if point is None:
        return None
    assert len(point) == 64
    x, zz = int.from_bytes(point[:32], "big"), int.from_bytes(point[32:], "big")
    assert 0 <= x < PRIME and 0 < zz < PRIME
    return (x * pow(zz, -1, PRIME) % PRIME).to_bytes(32, "big")


def test_tables_are_the_points_multiples():
    table = _sm2.table(seal.GENERATOR)
    assert len(table) == _sm2.TABLE_SIZE == 33 * 128 * 64
    assert _sm2.table(KEYS[0].public) != table


@settings(max_examples=40, deadline=None)
@given(scalars | edgy_scalars, scalars | edgy_scalars)
def test_the_double_multiplication_is_the_sum_of_multiples(ka, kb):
    public = KEYS[0].public
    expected = _add(_times(ka, G), _times(kb, _point(public)))
    x = _mul2(ka, seal.GENERATOR, kb, public)
    assert x == (None if expected is None else expected[0].to_bytes(32, "big"))


@pytest.mark.parametrize(
    ("ka", "kb", "expected"),
    [
        (0, 0, None),  # nothing added: infinity
        (1, 1, _times(2, G)),  # G + G meets the equal-points case in the first window
        (1, N - 1, None),  # G + (-G): the opposite-points case
        (N - 1, 0, _times(N - 1, G)),
        (2**256 - 1, 0, _times(2**256 - 1, G)),  # every digit -1 carrying one up: the 33rd window
        (
            int.from_bytes(b"\x80" * 32, "big"),
            0,
            _times(int.from_bytes(b"\x80" * 32, "big"), G),
        ),  # digits 128
        (
            int.from_bytes(b"\x81" * 32, "big"),
            0,
            _times(int.from_bytes(b"\x81" * 32, "big"), G),
        ),  # digits -127
        (256**31 * 200, 256**31 * 200, _times(2 * 200 * 256**31, G)),  # the top byte's carry only
    ],
)
def test_the_edge_cases_of_the_sum(ka, kb, expected):
    x = _mul2(ka, seal.GENERATOR, kb, seal.GENERATOR)
    assert x == (None if expected is None else expected[0].to_bytes(32, "big"))


@pytest.mark.parametrize(
    "point",
    [
        b"",
        b"\x04" + b"\x00" * 64,  # (0, 0) is not on the curve
        seal.GENERATOR[:-1] + bytes([seal.GENERATOR[-1] ^ 1]),  # y off by one bit
        b"\x02" + seal.GENERATOR[1:33],  # compressed forms are not a seal's key
        b"\x04" + PRIME.to_bytes(32, "big") + seal.GENERATOR[33:],  # x not below p
        seal.GENERATOR + b"\x00",
    ],
)
def test_a_point_off_the_curve_or_of_the_wrong_form_has_no_table(point):
    assert _sm2.table(point) is None
    assert not seal.verify(point, b"m", seal.sign(KEYS[0].private, b"m"))


def test_wrong_arguments_are_type_and_value_errors_not_crashes():
    table = _sm2.table(seal.GENERATOR)
    with pytest.raises(TypeError):
        _sm2.table("04")
    with pytest.raises(TypeError):
        _sm2.mul2(table, b"\x01" * 32, table)
    with pytest.raises(TypeError):
        _sm2.mul2(table, 1, table, b"\x01" * 32)
    with pytest.raises(ValueError):
        _sm2.mul2(table[:-1], b"\x01" * 32, table, b"\x01" * 32)
    with pytest.raises(ValueError):
        _sm2.mul2(table, b"\x01" * 31, table, b"\x01" * 32)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(KEYS), st.binary(max_size=300), st.integers(0, 64 * 8 - 1))
def test_verdicts_agree_with_tongsuo_for_genuine_and_tampered_signatures(pair, message, bit):
    signature = seal.sign(pair.private, message)
    assert seal.verify(pair.public, message, signature) is True
    assert seal.verify_tongsuo(pair.public, message, signature) is True
    flipped = bytearray(signature)
    flipped[bit // 8] ^= 1 << (bit % 8)
    assert seal.verify(pair.public, message, bytes(flipped)) is False
    assert seal.verify_tongsuo(pair.public, message, bytes(flipped)) is False
    assert seal.verify(pair.public, message + b"\x00", signature) is False
    other = KEYS[(KEYS.index(pair) + 1) % len(KEYS)]
    assert seal.verify(other.public, message, signature) is False


@settings(max_examples=15, deadline=None)
@given(st.binary(max_size=200))
def test_gmalg_signatures_verify_and_the_extensions_verify_with_gmalg(message):
    pair = KEYS[1]
    assert seal.verify(pair.public, message, seal.sign_reference(pair.private, message))
    assert seal.verify_reference(pair.public, message, seal.sign(pair.private, message))


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=64, max_size=64))
def test_random_signatures_answer_as_tongsuo_does(signature):
    pair = KEYS[2]
    assert seal.verify(pair.public, b"m", signature) is seal.verify_tongsuo(pair.public, b"m", signature)


def test_signature_values_out_of_range_are_refused():
    pair, message = KEYS[3], b"licence"
    genuine = seal.sign(pair.private, message)
    r = int.from_bytes(genuine[:32], "big")
    for bad in (
        (0, 1),
        (1, 0),
        (N, 1),
        (1, N),
        (r, N - r),  # t = r + s = n: refused before any multiplication
        (2**256 - 1, 2**256 - 1),
    ):
        signature = bad[0].to_bytes(32, "big") + bad[1].to_bytes(32, "big")
        assert seal.verify(pair.public, message, signature) is False
        assert seal.verify_tongsuo(pair.public, message, signature) is False
    assert seal.verify(pair.public, message, genuine[:-1]) is False
    assert seal.verify(pair.public, message, genuine + b"\x00") is False


@given(st.integers(1, PRIME - 1), st.integers(0, N - 1))
def test_the_final_comparison_takes_x_or_x_minus_n_and_nothing_else(zz, u):
    # The case x1 = u + n (x1 between n and p) cannot be reached by signing: built directly.
    for x1 in (u, u + N):
        if x1 < PRIME:
            assert seal._x_is(x1 * zz % PRIME, zz, u)
            assert not seal._x_is((x1 + 1) * zz % PRIME, zz, u)
            assert not seal._x_is(x1 * zz % PRIME, zz, (u + 1) % N)


def test_threads_verifying_at_once_get_the_same_answers():
    # mul2 releases the GIL: several threads inside it at once must not disturb one another.
    from concurrent.futures import ThreadPoolExecutor

    signed = [
        (pair, f"m{i}".encode(), seal.sign(pair.private, f"m{i}".encode())) for i, pair in enumerate(KEYS * 5)
    ]

    def check(_round: int) -> list[bool]:
        answers = []
        for pair, message, signature in signed:
            answers.append(seal.verify(pair.public, message, signature))
            answers.append(not seal.verify(pair.public, message + b"!", signature))
        return answers

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert all(all(answers) for answers in pool.map(check, range(16)))
