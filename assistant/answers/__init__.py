"""Answers, the fifth stage: ranked passages to an ``Answer``: the sentences that answer, scored and
picked (``answering``), the words of each that answer (``answer_kind``, ``phrase_candidates``,
``answer_phrase``), a calibrated confidence a snippet and the abstention (``confidence``), and the
check that each file still says what is quoted from it (``quote_check``).

Hands on ``Answer`` (``models``): ranked snippets, each with its ``Citation``, or an abstention
with its reason, which ``Assistant.ask`` gives every face.
"""
