"""The store, the third stage: the index on disk, one job a module (README, "Architecture"):

``layout`` the file names; ``folder`` the folder is ours alone (write beside, swap, recover); ``lock``
one build at a time; ``manifest`` the typed manifest and its checks; ``changes`` what changed in the
sources since; ``dense`` FAISS; ``lexical`` the words lexical matching compares and ``bm25`` the lexical
side; ``passage_table``, ``array_file`` and ``quantized_rows`` rows read on demand; ``question_encoder``
and ``encoder_export`` the ONNX export for questions; ``plan``, ``scratch``, ``write`` and ``build`` the
build (its embedding is the vectors stage's ``EmbedPassages``).

Hands on ``LoadedIndex`` (``loaded``): the index opened for answering, every file checked against the
manifest and the config, with its question encoder; what retrieval searches.
"""
