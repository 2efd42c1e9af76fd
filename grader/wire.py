"""The wire format between the autograder and a student's kernel: plain data as JSON.

What the kernel sends back is untrusted, so it travels as JSON, never pickle (unpickling runs
code in the process that reads it). Allowed values: None, bool, int, float (including nan and
±inf), str, numpy arrays of bool, integer or float dtype, and lists, tuples and dicts with
string keys of those. An array travels as ``{"__ndarray__": dtype, "shape": [...], "data":
base64}``, a tuple as ``{"__tuple__": [...]}``; a dict whose keys look like these tags is
refused rather than misread. ``decode`` checks every limit before it builds anything.
"""

from __future__ import annotations

import base64
import json
import math
from typing import Any

import numpy as np

MAX_BYTES = 16 * 2**20
MAX_DEPTH = 20
MAX_ITEMS = 100_000
ARRAY_KINDS = "biuf"  # bool, signed and unsigned integers, floats
_TAGS = ("__ndarray__", "__tuple__", "__float__")


class WireError(ValueError):
    """A message is not plain data, or breaks a size limit."""


def encode(value: Any, max_bytes: int = MAX_BYTES) -> str:
    """Plain data -> JSON text.

    value:     None, bool, int, float, str, numpy scalar or array, list, tuple, dict[str, ...].
    max_bytes: longest text allowed.
    Returns the JSON text; raises WireError naming what cannot be sent.
    """
    text = json.dumps(_to_json(value, 0), separators=(",", ":"))
    if len(text) > max_bytes:
        raise WireError(f"the result is {len(text)} bytes of JSON; the limit is {max_bytes}")
    return text


def _to_json(value: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise WireError(f"the result is nested deeper than {MAX_DEPTH} levels")
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return _float_to_json(value)
    if isinstance(value, np.floating) and value.dtype != np.float64:
        # A float32 number stays float32, so that the grader can tell what was computed in.
        return _to_json(np.asarray(value), depth)
    if isinstance(value, np.generic):
        return _to_json(value.item(), depth)
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in ARRAY_KINDS:
            raise WireError(f"arrays of dtype {value.dtype} cannot be graded; use numbers")
        data = value.copy(order="C")  # np.ascontiguousarray would make a 0-d array 1-d
        return {
            "__ndarray__": data.dtype.str,
            "shape": list(data.shape),
            "data": base64.b64encode(data.tobytes()).decode("ascii"),
        }
    if isinstance(value, tuple):
        return {"__tuple__": [_to_json(item, depth + 1) for item in value]}
    if isinstance(value, list):
        return [_to_json(item, depth + 1) for item in value]
    if isinstance(value, dict):
        if any(not isinstance(key, str) or key in _TAGS for key in value):
            raise WireError("dict keys must be strings other than " + ", ".join(_TAGS))
        return {key: _to_json(item, depth + 1) for key, item in value.items()}
    raise WireError(f"a {type(value).__name__} cannot be graded; return numbers or arrays")


def _float_to_json(value: float) -> Any:
    # Strict JSON has no nan or infinity, so they travel as tagged strings.
    if math.isfinite(value):
        return value
    return {"__float__": repr(float(value))}  # np.float64's own repr names its type


def decode(text: str, max_bytes: int = MAX_BYTES) -> Any:
    """JSON text from ``encode`` -> plain data, refusing anything else.

    text:      the JSON text (untrusted).
    max_bytes: longest text accepted.
    Returns the value, arrays as numpy arrays; raises WireError on anything unexpected.
    """
    if not isinstance(text, str):
        raise WireError(f"expected JSON text, got {type(text).__name__}")
    if len(text) > max_bytes:
        raise WireError(f"the message is {len(text)} bytes; the limit is {max_bytes}")
    try:
        raw = json.loads(text, parse_constant=_refuse_constant)
    except (json.JSONDecodeError, RecursionError) as error:
        raise WireError(f"the message is not valid JSON: {error}") from None
    counter = [0]
    return _from_json(raw, 0, counter)


def _refuse_constant(name: str):
    raise WireError(f"bare {name} is not allowed in the wire format")


def _from_json(raw: Any, depth: int, counter: list[int]) -> Any:
    counter[0] += 1
    if counter[0] > MAX_ITEMS:
        raise WireError(f"the message has more than {MAX_ITEMS} values")
    if depth > MAX_DEPTH:
        raise WireError(f"the message is nested deeper than {MAX_DEPTH} levels")
    if raw is None or isinstance(raw, (bool, int, float, str)):
        return raw
    if isinstance(raw, list):
        return [_from_json(item, depth + 1, counter) for item in raw]
    if not isinstance(raw, dict):
        raise WireError(f"unexpected JSON value of type {type(raw).__name__}")
    if "__ndarray__" in raw:
        return _array_from_json(raw)
    if "__tuple__" in raw:
        if set(raw) != {"__tuple__"} or not isinstance(raw["__tuple__"], list):
            raise WireError("a tuple must be {'__tuple__': [...]}")
        return tuple(_from_json(item, depth + 1, counter) for item in raw["__tuple__"])
    if "__float__" in raw:
        if set(raw) != {"__float__"} or raw["__float__"] not in ("nan", "inf", "-inf"):
            raise WireError("a special float must be nan, inf or -inf")
        return float(raw["__float__"])
    return {key: _from_json(item, depth + 1, counter) for key, item in raw.items()}


def _array_from_json(raw: dict) -> np.ndarray:
    if set(raw) != {"__ndarray__", "shape", "data"}:
        raise WireError("an array must have exactly __ndarray__, shape and data")
    try:
        dtype = np.dtype(raw["__ndarray__"])
    except TypeError:
        raise WireError(f"unknown dtype {raw['__ndarray__']!r}") from None
    shape = raw["shape"]
    if dtype.kind not in ARRAY_KINDS or dtype.hasobject:
        raise WireError(f"arrays of dtype {dtype} are not allowed")
    if not isinstance(shape, list) or not all(
        isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape
    ):
        raise WireError("an array's shape must be a list of non-negative integers")
    if len(shape) > 32:
        raise WireError("an array may have at most 32 dimensions")
    if not isinstance(raw["data"], str):
        raise WireError("an array's data must be base64 text")
    try:
        data = base64.b64decode(raw["data"], validate=True)
    except ValueError:
        raise WireError("an array's data is not valid base64") from None
    if len(data) != math.prod(shape) * dtype.itemsize:
        raise WireError(
            f"an array of shape {tuple(shape)} and dtype {dtype} needs "
            f"{math.prod(shape) * dtype.itemsize} bytes, got {len(data)}"
        )
    try:
        return np.frombuffer(data, dtype=dtype).reshape(shape).copy()
    except ValueError:  # numpy refuses shapes such as [0, 10**30], whose size is 0
        raise WireError(f"an array of shape {tuple(shape)} cannot be built") from None
