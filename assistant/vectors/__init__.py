"""Vectors, the second stage: the sentence-transformers model, resolved offline (``model_location``,
``embedding``), and what it embeds: each passage's vector and its sentences' from one pass of the
model (``late_chunking``), on this machine or on a Ray cluster (``cluster``).

Hands on the build's one embedding seam (``passage_embedding.EmbedPassages``: a queue of passages in,
batches of float32 passage vectors and 4-bit sentence vectors out) and the ``Embedder`` the store
exports for questions.
"""
