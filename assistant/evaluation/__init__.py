"""Evaluation, the sixth stage: ``assistant eval``: ask a question set or its conversations through
``Assistant`` and score the answers (``run``), then print the tables (``tables``).

Hands on ``ModeResult`` (a score a retrieval mode, and group) and its plain-text tables, for the CLI
and the quality benchmark.
"""
