"""The faces, the last stage: what a person (or a script) uses: the command (``cli``) and the chat
(``tui``). Each is a thin client of ``Assistant`` and turns our errors into its own words: an exit code
and one line, or a notice with a key.

Hands on nothing: this is where answers leave the program.
"""
