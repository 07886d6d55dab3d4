"""Pieces of the convergence benchmark (`bench/converge.py`): the environment it runs, what it
records, the theoretical minimum it compares with, the workloads and the report."""
