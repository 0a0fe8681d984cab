"""Sources, the first stage: find the files under the sources folder, read them (text, Markdown, HTML,
PDF, Word), decode and hash them, and split each into passages and sentences with exact spans, lines, pages
and kinds.

Hands on ``Document`` (``documents``, ``decoding``, ``formats``, ``docx``: the decoded text, its hash and stamp,
and the files skipped) and ``Passage`` with its ``Sentence`` spans (``passages``, ``structure``): what
the vectors embed, the store keeps and every citation slices.
"""
