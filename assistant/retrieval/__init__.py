"""Retrieval, the fourth stage: a question, alone or read in its conversation (``query``,
``conversation``), to ranked passages: dense search through FAISS, lexical search through BM25, and
their fusion (``search``).

Hands on ``RankedPassage`` (a passage's row in the index with its fused score and its sentences'
cosines) and the ``Query`` it was ranked for: what the answers stage reads.
"""
