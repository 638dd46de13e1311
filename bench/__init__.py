"""Benchmarks of the actor runtime, run as modules (``python -m bench.actors_local``), not as tests.

Results go to ``docs/performance.md``; nothing here asserts on timings.
"""
