"""A quote that introduces a block of code is followed by the block's first lines."""

from __future__ import annotations

from projects import built_project

SECURITY = """# IT security

## VPN

Use the company VPN (WireGuard) on any network that is not the office or your home. To connect from the
terminal:

```bash
sudo wg-quick up brightwater
```

To disconnect, run the same command with down. The VPN configuration file is issued by IT and must not be
copied to another device.

## Passwords

Passwords must be at least 14 characters long. Change yours in the Okta portal:

- Open okta.example.com.
- Choose Settings.
"""


def test_the_command_a_quote_introduces_is_quoted_after_it(tmp_path):
    """A new user's "How do I connect to the VPN?" quoted "To connect from the terminal:" and never
    showed the command on the next line."""
    assistant = built_project(tmp_path, {"it-security.md": SECURITY})
    answer = assistant.ask("How do I connect to the VPN?")
    intro, command = answer.snippets[0], answer.snippets[1]
    assert intro.text.endswith("To connect from the\nterminal:")
    assert command.text == "sudo wg-quick up brightwater" and command.passage.kind == "code"
    assert SECURITY[command.citation.start : command.citation.end] == command.text  # no fence quoted
    assert command.citation.line_start == intro.citation.line_end + 3
    assert command.is_answer and command.confidence == intro.confidence
    assert len(answer.snippets) == 3
    # Asked for one snippet, the block comes with it all the same.
    one = assistant.ask("How do I connect to the VPN?", k=1)
    assert len(one.snippets) == 2 and one.snippets[0].text.endswith("To connect from the\nterminal:")
    assert one.snippets[1].text == command.text


def test_a_quote_introducing_anything_but_code_stands_alone(tmp_path):
    assistant = built_project(tmp_path, {"it-security.md": SECURITY})
    answer = assistant.ask("Where do I change my password?")
    assert "Okta portal:" in answer.snippets[0].text
    assert all(s.passage.kind != "code" for s in answer.snippets)
