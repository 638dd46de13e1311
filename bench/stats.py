"""Summaries of benchmark samples: latency percentiles, rates and ratios, formatted for one line.

Only arithmetic and text; the benchmarks decide what to time.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Latency:
    """Percentiles of a latency sample, in microseconds."""

    count: int
    p50_us: float
    p99_us: float
    max_us: float

    @classmethod
    def of_ns(cls, samples_ns: list[int]) -> Latency:
        ordered = sorted(samples_ns)
        return cls(
            count=len(ordered),
            p50_us=percentile(ordered, 0.50) / 1000,
            p99_us=percentile(ordered, 0.99) / 1000,
            max_us=ordered[-1] / 1000,
        )

    def text(self) -> str:
        return (
            f"p50 {self.p50_us:,.1f} µs, p99 {self.p99_us:,.1f} µs, max {self.max_us:,.0f} µs"
            f" (n={self.count:,})"
        )


@dataclass(frozen=True, slots=True)
class Rates:
    """Throughputs of repeated rounds of one measurement, in operations per second."""

    values: tuple[float, ...]

    @classmethod
    def of_rounds(cls, operations: int, seconds: list[float]) -> Rates:
        return cls(tuple(operations / s for s in seconds))

    @property
    def best(self) -> float:
        return max(self.values)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def text(self) -> str:
        return f"best {self.best:>11,.0f}/s (median {self.median:,.0f}/s)"


def percentile(ordered: list[int], q: float) -> float:
    """The ``q`` quantile of an ascending sample, nearest-rank."""
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))
    return float(ordered[index])


def comparison(runtime: Rates, baseline: Rates) -> str:
    """Runtime against baseline: the speed ratio and the added cost per operation."""
    ratio = runtime.best / baseline.best
    added_us = (1 / runtime.best - 1 / baseline.best) * 1e6
    return f"runtime/baseline {ratio:.2f} (+{added_us:.2f} µs per op)"
