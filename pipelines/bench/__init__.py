"""The benchmark: wall time and peak memory of every stage at 1×, 10× and 100× the 2023 demo.

`unionwh bench` (pipelines/cli/bench.py) runs it; the harness is pipelines.bench.harness;
docs/performance.md has the results.
"""
