"""Count tables: the one shape every count-based figure is computed from.

A count table is the answer distribution of one item in one group: codes (e.g. likert 1..5)
with how many respondents chose each. "keine Angabe" is not in it; the caller leaves it out.

Every function that accepts both a count table and raw answers turns the raw answers into
a count table first and runs the same code on it. That makes "the same figure from raw
answers and from counts" hold exactly, not just up to rounding, so a report built from the
SQL count tables and a check built from raw answers show the same digits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

#: A count table: ``{code: count}`` or a pair ``(codes, counts)`` of equal-length sequences.
Counts: TypeAlias = Mapping[float, int] | tuple[npt.ArrayLike, npt.ArrayLike]

FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.int64]


def table_from_counts(counts: Counts, *, what: str = "counts") -> tuple[FloatArray, IntArray]:
    """Validate a count table; return codes ascending and counts, codes with count 0 dropped.

    Dropping empty codes matters for exactness: the raw path never sees them, and numpy's
    pairwise summation would group the terms differently if the arrays had other lengths.
    """
    if isinstance(counts, Mapping):
        codes_in: npt.ArrayLike = list(counts.keys())
        counts_in: npt.ArrayLike = list(counts.values())
    elif isinstance(counts, tuple) and len(counts) == 2:
        codes_in, counts_in = counts
    else:
        raise ValueError(
            f"{what} must be a mapping {{code: count}} or a pair (codes, counts), got {type(counts).__name__}"
        )
    try:
        codes = np.asarray(codes_in, dtype=np.float64)
        raw_counts = np.asarray(counts_in, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what}: codes and counts must be numbers ({exc})") from None
    if codes.ndim != 1 or raw_counts.ndim != 1:
        raise ValueError(f"{what}: codes and counts must be one-dimensional")
    if codes.shape != raw_counts.shape:
        raise ValueError(f"{what}: {codes.size} codes but {raw_counts.size} counts; they must match")
    if not np.all(np.isfinite(codes)):
        raise ValueError(f"{what}: codes must be finite numbers (leave 'keine Angabe' out of the table)")
    if not np.all(np.isfinite(raw_counts)):
        raise ValueError(f"{what}: counts must be finite")
    if np.any(raw_counts < 0):
        raise ValueError(f"{what}: counts must not be negative, got {raw_counts[raw_counts < 0][0]:g}")
    if np.any(raw_counts != np.floor(raw_counts)):
        raise ValueError(f"{what}: counts must be whole numbers")
    order = np.argsort(codes, kind="stable")
    codes, raw_counts = codes[order], raw_counts[order]
    if codes.size > 1 and np.any(codes[1:] == codes[:-1]):
        raise ValueError(f"{what}: each code may appear only once")
    keep = raw_counts > 0
    return codes[keep], raw_counts[keep].astype(np.int64)


def values_array(values: npt.ArrayLike, *, what: str = "values") -> FloatArray:
    """Raw answers as a 1-D float array; missing answers must already be removed."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} must be numbers ({exc})") from None
    if array.ndim != 1:
        raise ValueError(f"{what} must be one-dimensional, got shape {array.shape}")
    if np.any(np.isnan(array)):
        raise ValueError(f"{what} contain NaN: remove missing answers ('keine Angabe') before calling")
    if np.any(np.isinf(array)):
        raise ValueError(f"{what} must be finite")
    return array


def table_from_values(values: npt.ArrayLike, *, what: str = "values") -> tuple[FloatArray, IntArray]:
    """The count table of raw answers (codes ascending, every count > 0)."""
    codes, counts = np.unique(values_array(values, what=what), return_counts=True)
    return codes.astype(np.float64), counts.astype(np.int64)


def align(
    x: tuple[FloatArray, IntArray], y: tuple[FloatArray, IntArray]
) -> tuple[FloatArray, IntArray, IntArray]:
    """Two count tables over the union of their codes (ascending), codes empty in both dropped."""
    codes = np.union1d(x[0], y[0])
    a = np.zeros(codes.size, dtype=np.int64)
    b = np.zeros(codes.size, dtype=np.int64)
    a[np.searchsorted(codes, x[0])] = x[1]
    b[np.searchsorted(codes, y[0])] = y[1]
    return codes, a, b


def check_confidence(confidence: float) -> float:
    confidence = float(confidence)
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}")
    return confidence
