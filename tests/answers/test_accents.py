"""A name typed without its accents is the name: "Soren Kjaer" asks about Søren Kjær."""

from __future__ import annotations

import pytest

from assistant import Assistant
from assistant.store.bm25 import LexicalIndex, write_lexical_index
from assistant.store.lexical import plain_letters, tokenize

from projects import built_project

REVIEW = """Annual review of the harbour survey

The survey of the old harbour was led by Søren Kjær, who joined the institute in Zürich in 2019.
Kjær concluded that the eastern quay should be rebuilt before any dredging begins, because the
foundations had shifted by almost forty centimetres since the last inspection.

The dredging itself was planned by Emile Durand, an engineer from Lyon. Durand estimated that it
would take eleven weeks and cost 2.4 million euros, most of it for removing contaminated silt.

The committee accepted both reports in March and asked for a second inspection of the western pier.
"""


@pytest.fixture(scope="module")
def harbour(tmp_path_factory) -> Assistant:
    return built_project(tmp_path_factory.mktemp("harbour"), {"review.txt": REVIEW})


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("What did Soren Kjaer conclude?", "the eastern quay should be rebuilt"),
        ("What did Søren Kjær conclude?", "the eastern quay should be rebuilt"),
        ("When did Kjaer join the institute in Zurich?", "joined the institute in Zürich in 2019"),
        # The other way round: the sources write the name plainly, the question with its accent.
        ("How long did Émile Durand expect the dredging to take?", "eleven weeks"),
    ],
)
def test_a_name_is_the_same_with_or_without_its_accents(harbour, question, words):
    answer = harbour.ask(question)
    assert not answer.abstained, answer.reason
    assert words in answer.snippets[0].text


def test_a_name_the_sources_never_mention_is_still_named(harbour):
    answer = harbour.ask("What did Bjørn Ødegård conclude?")
    assert answer.abstained and answer.reason == "the sources never mention Bjørn, Ødegård"


def test_words_lose_their_accents_but_no_script_loses_its_letters():
    assert tokenize("Søren Kjær, Zürich, Nguyễn, Œuvre, Straße, ﬁnal") == tokenize("Soren Kjaer, Zurich, Nguyen, Oeuvre, Strasse, final")
    assert plain_letters("йод Москва 한국어") == "йод москва 한국어"  # Cyrillic's й is not и; Hangul stays whole
    assert plain_letters("“Quoted” — dash") == "“quoted” — dash"


def test_an_index_built_before_the_accents_were_dropped_still_finds_accented_words(tmp_path):
    """Its vocabulary holds "kjær" (as the tokenizer read it then): the question's "kjaer" finds it."""
    import json

    write_lexical_index(tmp_path, ["the survey by Kjaer", "the harbour of the town", "a quay led by Andre"])
    vocab_file = tmp_path / "vocab.index.json"
    vocab = json.loads(vocab_file.read_text(encoding="utf-8"))
    # What the tokenizer made of "Kjær" and "André" then: the words as written, the stemmer's reading of
    # an accented letter its own ("andré", where "andre" is stemmed to "andr").
    vocab["kjær"] = vocab.pop("kjaer")
    vocab["andré"] = vocab.pop("andr")
    vocab_file.write_text(json.dumps(vocab), encoding="utf-8")
    lexical = LexicalIndex.load(tmp_path, 3)
    for name, row in (("Kjær", 0), ("Kjaer", 0), ("André", 2), ("Andre", 2)):
        rows, _scores = lexical.search(tokenize(name), 3)
        assert list(rows) == [row], name
    assert set(lexical.idf(["kjaer", "andr"])) == {"kjaer", "andr"}
