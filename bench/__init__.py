"""Benchmarks: ``python -m bench [--quick]`` prints one table, each row beside its baseline."""
