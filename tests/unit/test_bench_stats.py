"""Percentiles and the regression test of bench baselines, on synthetic latency samples."""

from __future__ import annotations

import math
import random

import pytest

from pgwatch.workload import stats


def _lognormal(rng: random.Random, median_ms: float, n: int, sigma: float = 0.5) -> list[float]:
    """Latency-shaped samples: log-normal around ``median_ms`` with a heavy right tail."""
    return [rng.lognormvariate(math.log(median_ms), sigma) for _ in range(n)]


def test_percentiles_interpolate_between_closest_ranks() -> None:
    samples = [float(v) for v in range(1, 101)]
    assert stats.percentile(samples, 50) == pytest.approx(50.5)
    assert stats.percentile(samples, 95) == pytest.approx(95.05)
    assert stats.percentile(samples, 0) == 1.0
    assert stats.percentile(samples, 100) == 100.0
    assert stats.percentile([3.0], 99) == 3.0


def test_percentile_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError, match="no samples"):
        stats.percentile([], 50)


def test_mann_whitney_matches_a_hand_computed_case() -> None:
    # new = [4, 5, 6], old = [1, 2, 3]: U = 9 (every pair), the smallest possible p.
    p_clear = stats.mann_whitney_greater([4.0, 5.0, 6.0], [1.0, 2.0, 3.0])
    p_reverse = stats.mann_whitney_greater([1.0, 2.0, 3.0], [4.0, 5.0, 6.0])
    assert p_clear < 0.05 < p_reverse
    assert p_reverse > 0.95


def test_identical_samples_are_not_significant() -> None:
    same = [1.0, 2.0, 2.0, 3.0, 5.0] * 20
    assert stats.mann_whitney_greater(same, same) > 0.4


@pytest.mark.parametrize("seed", range(5))
def test_a_clear_slowdown_is_a_regression(seed: int) -> None:
    rng = random.Random(seed)
    old = _lognormal(rng, 2.0, 600)
    new = _lognormal(rng, 3.0, 600)  # 50 % slower median
    verdict = stats.compare(new, old)
    assert verdict.regression, verdict.reason
    assert verdict.median_ratio == pytest.approx(1.5, rel=0.15)


@pytest.mark.parametrize("seed", range(20))
def test_noise_is_not_a_regression(seed: int) -> None:
    rng = random.Random(100 + seed)
    old = _lognormal(rng, 2.0, 600)
    new = _lognormal(rng, 2.0, 600)
    assert not stats.compare(new, old).regression


def test_a_tiny_significant_drift_is_below_the_size_threshold() -> None:
    rng = random.Random(3)
    old = _lognormal(rng, 2.0, 20_000, sigma=0.2)
    new = _lognormal(rng, 2.1, 20_000, sigma=0.2)  # 5 % slower, very many samples
    verdict = stats.compare(new, old)
    assert verdict.p_value < stats.DEFAULT_ALPHA
    assert not verdict.regression
    assert "below" in verdict.reason


def test_a_large_but_uncertain_slowdown_is_not_a_regression() -> None:
    verdict = stats.compare([1.0, 9.0, 2.0, 8.0, 3.0, 30.0, 1.5, 9.5],
                            [2.0, 8.0, 1.0, 9.0, 2.5, 7.0, 1.2, 8.5])
    assert not verdict.regression


def test_a_speed_up_is_not_a_regression() -> None:
    rng = random.Random(9)
    verdict = stats.compare(_lognormal(rng, 1.0, 500), _lognormal(rng, 4.0, 500))
    assert not verdict.regression
    assert verdict.median_ratio < 0.5


def test_too_few_samples_give_no_verdict() -> None:
    verdict = stats.compare([10.0] * 3, [1.0] * 100)
    assert not verdict.regression
    assert "too few" in verdict.reason


def test_bootstrap_interval_contains_the_true_ratio() -> None:
    rng = random.Random(5)
    low, high = stats.bootstrap_median_ratio(_lognormal(rng, 3.0, 400), _lognormal(rng, 2.0, 400))
    assert low < 1.5 < high
    assert low > 1.0


def test_subsample_keeps_all_or_exactly_the_limit() -> None:
    values = [float(v) for v in range(10)]
    assert stats.subsample(values, 20) == values
    kept = stats.subsample([float(v) for v in range(5000)], 100)
    assert len(kept) == 100 and len(set(kept)) == 100
