"""Benchmarks (not tests): throughput, inbox latency, timer lag, state size."""
