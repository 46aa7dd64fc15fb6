"""Scoring: group kernels, the scoring model, running the evaluators, and the Result."""
