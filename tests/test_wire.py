"""The wire format: plain data round-trips exactly; anything else is refused before use."""

import json

import numpy as np
import pytest

from grader.wire import WireError, decode, encode


def test_plain_data_round_trips_exactly():
    value = {
        "Z": np.arange(6, dtype=np.float64).reshape(2, 3) / 7,
        "keep": np.array([[True, False]]),
        "counts": np.array([1, 2], dtype=np.int32),
        "pair": (1, 2.5, float("nan"), float("-inf")),
        "rest": [None, "text", True],
    }
    back = decode(encode(value))
    assert back["Z"].dtype == np.float64 and np.array_equal(back["Z"], value["Z"])
    assert back["keep"].dtype == bool and back["keep"].tolist() == [[True, False]]
    assert back["counts"].dtype == np.int32 and back["counts"].tolist() == [1, 2]
    assert back["pair"][:2] == (1, 2.5) and np.isnan(back["pair"][2])
    assert back["pair"][3] == float("-inf")
    assert back["rest"] == [None, "text", True]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (object(), "a object cannot be graded"),
        (np.array(["a"]), "arrays of dtype <U1 cannot be graded"),
        ({1: 2}, "dict keys must be strings"),
        ({"__tuple__": 1}, "dict keys must be strings other than"),
    ],
)
def test_encode_refuses_what_is_not_plain_data(value, message):
    with pytest.raises(WireError, match=message):
        encode(value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"__ndarray__": "|O", "shape": [1], "data": ""}', "dtype object are not allowed"),
        ('{"__ndarray__": "<f8", "shape": [2], "data": "AAAAAAAAAAA="}', "needs 16 bytes, got 8"),
        ('{"__ndarray__": "<f8", "shape": [-1], "data": ""}', "non-negative integers"),
        (
            '{"__ndarray__": "<f8", "shape": [0, 1000000000000000000000000000000], "data": ""}',
            "cannot be built",
        ),
        ('{"__float__": "1e400"}', "special float must be"),
        ("NaN", "bare NaN is not allowed"),
        ("[" * 50 + "]" * 50, "nested deeper than 20"),
        ("{not json", "not valid JSON"),
    ],
)
def test_decode_refuses_anything_unexpected(text, message):
    with pytest.raises(WireError, match=message):
        decode(text)


def test_size_limits_apply_both_ways():
    with pytest.raises(WireError, match="the limit is 100"):
        encode(np.zeros(100), max_bytes=100)
    with pytest.raises(WireError, match="the limit is 10"):
        decode(json.dumps("x" * 20), max_bytes=10)
    with pytest.raises(WireError, match="more than 100000 values"):
        decode(json.dumps([0] * 100_001))


@pytest.mark.parametrize(
    "value", [np.float64("nan"), np.float64("-inf"), np.array(np.nan), np.array(2.5)]
)
def test_numpy_scalars_and_0d_arrays_keep_their_kind_and_shape(value):
    back = decode(encode(value))
    assert np.shape(back) == np.shape(value)
    assert np.array_equal(back, value, equal_nan=True)


def test_a_float32_number_keeps_its_precision():
    back = decode(encode({"J": np.float32(0.25)}))["J"]
    assert back.dtype == np.float32 and back.shape == () and back == 0.25
