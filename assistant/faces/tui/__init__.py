"""The Textual chat: ask questions, read cited snippets, open the sources they quote."""
