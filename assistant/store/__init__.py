"""The index on disk, one job a module (README, "Architecture"):

``layout`` the file names; ``folder`` the folder is ours alone (write beside, swap, recover); ``lock``
one build at a time; ``manifest`` the typed manifest and its checks; ``changes`` what changed in the
sources since; ``dense`` FAISS; ``bm25`` the lexical side; ``passage_table`` and ``array_file`` rows read
on demand; ``question_encoder`` and ``encoder_export`` the ONNX export for questions; ``loaded`` the
index opened for answering; ``plan``, ``embed``, ``write`` and ``build`` the build.
"""
