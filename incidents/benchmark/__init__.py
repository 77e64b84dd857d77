"""Synthetic data at real size and the measurements the benchmark command makes on it."""
