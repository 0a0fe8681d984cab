"""The faces, the last stage: what a person (or a script, or an agent) uses: the command (``cli``), the
chat (``tui``) and the MCP server (``mcp_server``). Each is a thin client of ``Assistant`` and turns our
errors into its own words: an exit code and one line, a notice with a key, or a tool error.

Hands on nothing: this is where answers leave the program.
"""
