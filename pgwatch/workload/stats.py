"""Latency statistics: percentiles, and telling a real slowdown from noise.

A regression needs two things at once (see docs/bench.md):

* significance: a one-sided Mann-Whitney U test says the new latencies are stochastically
  larger than the baseline's with p below ``alpha`` (normal approximation with tie
  correction; it assumes nothing about the shape of latency distributions, which are
  skewed and heavy-tailed, so a t-test would be wrong);
* size: the median grew by at least ``min_slowdown`` (10 % by default), because with
  thousands of samples a test detects drifts far below what anyone would act on.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

DEFAULT_ALPHA = 0.01
DEFAULT_MIN_SLOWDOWN = 0.10
MIN_SAMPLES = 8


def percentile(samples: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation between closest ranks."""
    if not samples:
        raise ValueError("percentile of no samples")
    ordered = sorted(samples)
    position = (len(ordered) - 1) * q / 100.0
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(samples: Sequence[float]) -> float:
    """The 50th percentile."""
    return percentile(samples, 50.0)


def _ranks(values: list[tuple[float, int]]) -> tuple[list[float], float]:
    """Mid-ranks of sorted (value, group) pairs, and the tie-correction sum of t^3 - t."""
    ranks = [0.0] * len(values)
    ties = 0.0
    start = 0
    while start < len(values):
        end = start
        while end + 1 < len(values) and values[end + 1][0] == values[start][0]:
            end += 1
        mid = (start + end) / 2.0 + 1.0
        for index in range(start, end + 1):
            ranks[index] = mid
        size = end - start + 1
        ties += size**3 - size
        start = end + 1
    return ranks, ties


def mann_whitney_greater(new: Sequence[float], old: Sequence[float]) -> float:
    """One-sided p-value that ``new`` tends to be larger than ``old`` (Mann-Whitney U)."""
    n1, n2 = len(new), len(old)
    if n1 == 0 or n2 == 0:
        raise ValueError("Mann-Whitney U needs samples on both sides")
    pooled = sorted([(value, 1) for value in new] + [(value, 2) for value in old])
    ranks, ties = _ranks(pooled)
    rank_sum = sum(rank for rank, (_, group) in zip(ranks, pooled, strict=True) if group == 1)
    u_new = rank_sum - n1 * (n1 + 1) / 2.0
    n = n1 + n2
    variance = n1 * n2 / 12.0 * ((n + 1) - ties / (n * (n - 1))) if n > 1 else 0.0
    if variance <= 0:
        return 1.0
    # Continuity correction of 0.5 towards the null hypothesis.
    z = (u_new - n1 * n2 / 2.0 - 0.5) / math.sqrt(variance)
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def bootstrap_median_ratio(new: Sequence[float], old: Sequence[float], *, rounds: int = 400,
                           seed: int = 7) -> tuple[float, float]:
    """A 95 % percentile-bootstrap interval of median(new) / median(old), for reports."""
    rng = random.Random(seed)
    ratios: list[float] = []
    for _ in range(rounds):
        resampled_new = rng.choices(new, k=len(new))
        resampled_old = rng.choices(old, k=len(old))
        ratios.append(median(resampled_new) / max(median(resampled_old), 1e-9))
    return percentile(ratios, 2.5), percentile(ratios, 97.5)


@dataclass(frozen=True, slots=True)
class Comparison:
    """The verdict on one scenario, new run against baseline."""

    median_ratio: float
    p_value: float
    regression: bool
    reason: str


def compare(new: Sequence[float], old: Sequence[float], *, alpha: float = DEFAULT_ALPHA,
            min_slowdown: float = DEFAULT_MIN_SLOWDOWN) -> Comparison:
    """Decide whether ``new`` latencies are a clear slowdown of ``old`` ones."""
    if len(new) < MIN_SAMPLES or len(old) < MIN_SAMPLES:
        return Comparison(math.nan, math.nan, False,
                          f"too few samples ({len(new)} vs {len(old)}; need {MIN_SAMPLES})")
    ratio = median(new) / max(median(old), 1e-9)
    p_value = mann_whitney_greater(new, old)
    significant = p_value < alpha
    large = ratio >= 1.0 + min_slowdown
    if significant and large:
        reason = f"median {ratio:.2f}x slower, p={p_value:.2g}"
    elif large:
        reason = f"median {ratio:.2f}x but not significant (p={p_value:.2g})"
    elif significant:
        reason = f"significant but only {ratio:.2f}x (below {1 + min_slowdown:.2f}x)"
    else:
        reason = f"within noise ({ratio:.2f}x, p={p_value:.2g})"
    return Comparison(ratio, p_value, significant and large, reason)


def subsample(samples: Sequence[float], limit: int, seed: int = 11) -> list[float]:
    """At most ``limit`` samples drawn without replacement, kept in a baseline file."""
    if len(samples) <= limit:
        return list(samples)
    return random.Random(seed).sample(list(samples), limit)
