"""The shipped reader on small real text: the span it marks, what it refuses, its offsets, a damaged file,
and the answers with it turned off."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.answers.reader import CARD_FILE, READER_FILE, Reader, Stretch, shipped_folder
from assistant.errors import ReaderError, Remedy

from projects import DATA, REPO, SAMPLE_FILE

MARKED = [
    ("How long is the temporary Kosovo document valid?", "90 days"),
    ("Who is the EU facilitator in the talks?", "Miroslav Lajcak"),
    ("When does Pristina's ban on Serbian identity cards take effect?", "September 1"),
    ("Since when have the normalization talks been under EU auspices?", "2011"),
]


@pytest.fixture(scope="module")
def reader() -> Reader:
    return Reader.load()


@pytest.mark.parametrize("question, words", MARKED)
def test_the_answering_words_are_marked(sample_assistant, question, words):
    snippet = sample_assistant.ask(question).snippets[0]
    assert snippet.answer is not None, snippet.text
    assert words in snippet.answer.text
    # The mark is a few words of the quote, not the quote.
    assert len(snippet.answer.text) < len(snippet.text) / 2


def test_the_mark_slices_the_file(sample_assistant):
    text = sample_assistant.read_source(SAMPLE_FILE)
    for question, _ in MARKED:
        for snippet in sample_assistant.ask(question).snippets:
            if snippet.answer is not None:
                assert text[snippet.answer.start : snippet.answer.end] == snippet.answer.text
                assert snippet.citation.start <= snippet.answer.start < snippet.answer.end <= snippet.citation.end


def test_readings_are_offsets_of_the_file(reader, sample_assistant):
    text = sample_assistant.read_source(SAMPLE_FILE)
    begin = text.index("Under Pristina’s framework")
    stretch = Stretch(text[begin : begin + 400], begin)
    reading = reader.read("How long is the temporary document valid?", [stretch])[0]
    assert text[reading.start : reading.end] == reading.text == "90 days"


def test_a_neighbouring_paragraph_that_does_not_say_it_is_refused(reader):
    question = "When did the Normans conquer England?"
    says = Stretch("In 1066 the Normans, led by William the Conqueror, invaded and conquered England.", 0)
    neighbour = Stretch(
        "The Normans were descended from Norse raiders who settled in northern France. Their duchy was "
        "famed for its castles and for the monasteries its dukes founded.", 500,
    )
    answering, other = reader.read(question, [says, neighbour])
    assert answering.text == "1066" and answering.probability > 0.5
    assert other.probability < 0.5 < answering.probability
    assert answering.margin > other.margin


def test_an_empty_stretch_has_no_reading(reader):
    assert reader.read("Who?", [Stretch("  ", 0)]) == [None]


def _damaged_copy(tmp_path: Path, damage) -> Path:
    folder = tmp_path / "reader"
    shutil.copytree(shipped_folder(), folder)
    damage(folder)
    return folder


@pytest.mark.parametrize(
    "damage",
    [
        lambda f: (f / READER_FILE).write_bytes((f / READER_FILE).read_bytes()[:100_000]),
        lambda f: (f / READER_FILE).unlink(),
        lambda f: (f / CARD_FILE).write_text("{not json"),
    ],
    ids=["cut", "missing", "card-broken"],
)
def test_a_damaged_reader_is_an_error_naming_reinstall(tmp_path, damage):
    with pytest.raises(ReaderError) as caught:
        Reader.load(_damaged_copy(tmp_path, damage))
    assert caught.value.remedy is Remedy.REINSTALL
    assert "\n" not in caught.value.message


def test_the_command_line_says_to_install_again_when_the_reader_is_damaged(tmp_path, built_sample):
    # A copy of the package whose shipped reader is cut short, imported in place of the installed one.
    package = tmp_path / "site" / "assistant"
    shutil.copytree(REPO / "assistant", package, ignore=shutil.ignore_patterns("__pycache__"))
    weights = package / "data" / "reader" / READER_FILE
    weights.write_bytes(weights.read_bytes()[:-1000])
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "--config", str(built_sample), "ask", "How long is the document valid?"],
        capture_output=True, text=True, env=env, cwd=tmp_path,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("assistant: error: ") and "install the assistant again" in lines[0], done.stderr
    assert str(tmp_path) in lines[0]


def test_with_the_reader_off_the_rules_mark_and_nothing_is_read(sample_assistant):
    off = sample_assistant.with_reader(False)
    answer = off.ask("How long is the temporary Kosovo document valid?")
    assert answer.timings.read == 0
    assert "90 days" in answer.snippets[0].text
    assert answer.snippets[0].answer is not None and answer.snippets[0].answer.text == "90 days"
    on = sample_assistant.trace("How long is the temporary Kosovo document valid?")
    assert on.answer.timings.read > 0 and on.read.tokens > 0


def test_the_reader_is_turned_off_in_the_config(sample_project):
    text = sample_project.read_text()
    sample_project.write_text(text + "\n[answer]\nreader = false\n")
    assistant = Assistant.open(sample_project)
    assert assistant.load_reader() is None
    assert assistant.ask("Who is the EU facilitator in the talks?").timings.read == 0



def test_a_surer_span_lifts_its_sentence_more_even_where_both_are_all_but_certain(sample_assistant):
    """Two windows that both hold an answer-like span, each at a probability that rounds to 1: the
    sentence of the surer one (the larger margin) still rises more."""
    from dataclasses import replace as changed

    from assistant.answers.answering import ScoredSentence
    from assistant.answers.reading import Read, rerank

    read = sample_assistant.trace("How long is the temporary Kosovo document valid?").read
    centres, readings = read.centres[:2], read.readings[:2]
    assert all(r is not None for r in readings)

    def holding(centre, reading) -> ScoredSentence:  # the sentence holding the span, alike all but the reader
        j = next(j for j, t in enumerate(centre.passage.sentences) if t.start <= reading.start < t.end)
        return ScoredSentence(centre.passage, centre.row, j, score=0.5, similarity=0.5)

    sure, surer = changed(readings[0], margin=8.0), changed(readings[1], margin=16.0)
    assert sure.probability > 0.999 and surer.probability > 0.999
    scored = [holding(centres[0], sure), holding(centres[1], surer)]
    ranked = rerank(scored, Read(centres, (sure, surer)))
    assert [s.reading for s in ranked] == [surer, sure]
    assert 0.5 < ranked[1].score < ranked[0].score



@pytest.mark.parametrize(
    ("span", "mark"),
    [
        ("0.23 euros per kilometre.\n5", "0.23 euros per kilometre"),  # a PDF's next heading number
        ("**1 September 2024", "1 September 2024"),  # Markdown's emphasis
        ("`max_connections`", "max_connections"),
        ("27 days of\nannual leave", "27 days of\nannual leave"),  # a line wrapped mid-sentence
        ("the U.S. Army", "the U.S. Army"),
        ("the U.S.\nArmy", "the U.S.\nArmy"),  # an abbreviation at a line's end ends no sentence
        ("Dr.\nJohn Smith", "Dr.\nJohn Smith"),
        ("St.\nPetersburg", "St.\nPetersburg"),
        ("__init__", "__init__"),
    ],
)
def test_a_mark_stops_where_its_line_s_sentence_ends_and_leaves_out_emphasis(span, mark):
    from assistant.answers.answering import tidy_span

    first, last = tidy_span(span)
    assert span[first:last] == mark



SITES = (
    "# Field sites\n\n"
    "| Site | District | Roof type | Area (m²) | Height (m) | Sensors |\n| --- | --- | --- | --- | --- | --- |\n"
    "| B1 | Mitte | extensive sedum | 840 | 12 | 6 |\n"
    "| B3 | Kreuzberg | extensive sedum | 1,120 | 15 | 8 |\n"
    "| B4 | Kreuzberg | white coating | 530 | 24 | 4 |\n"
)


def test_a_tables_row_is_read_under_its_columns_names(tmp_path):
    """A new user asked "How many sensors were on site B3?": the row "| B3 | Kreuzberg | extensive sedum |
    1,120 | 15 | 8 |" read alone gave the reader no way to tell which number is the sensors' (it found
    no span there, and another file's "Two" was marked). Read under its columns' names ("The Site is B3.
    ... The Sensors is 8."), it finds the cell, and the mark is the file's own "8"."""
    from projects import write_project

    config = write_project(tmp_path / "sites", sources={"sites.md": SITES})
    assistant = Assistant.open(config)
    assistant.build_index()
    for question, cell in (("How many sensors were on site B3?", "8"), ("What is the area of roof B4?", "530")):
        first = assistant.ask(question).snippets[0]
        assert first.text.startswith(f"| {question.split()[-1].rstrip('?')} |"), first.text
        assert first.answer is not None and first.answer.text == cell
        assert SITES[first.answer.start : first.answer.end] == cell


def test_a_labelled_line_naming_what_is_asked_is_read(tmp_path):
    """A new user's "Who is the landlord?" of a lease: every sentence names the Landlord, and the line
    that says who ("Landlord: Margaret Ellison, of 14 Westbury Park, ..."), an address in most of its
    words, ranked tenth by resemblance; never read, it was never quoted (not in the first eight)."""
    from projects import write_project

    lease = (DATA / "household" / "lease.txt").read_text(encoding="utf-8")
    assistant = Assistant.open(write_project(tmp_path / "lease", sources={"lease.txt": lease}))
    assistant.build_index()
    first = assistant.ask("Who is the landlord?").snippets[0]
    assert first.text.startswith("Landlord: Margaret Ellison") and first.is_answer
    assert first.answer is not None and first.answer.text == "Margaret Ellison"


WARRANTY = (
    "KESTREL APPLIANCES - WARRANTY CARD\n\n"
    "Product:            Kestrel DW600 Series freestanding dishwasher, 60 cm, 14 place settings\n"
    "Model number:       KDW-614X\n"
    "Serial number:      KD23-0917-55820\n"
    "Date of purchase:   3 November 2023\n"
    "Retailer:           HomeElec Direct, Cribbs Causeway, Bristol\n\n"
    "Your dishwasher is guaranteed against faults in materials and manufacture for 2 years from the date of "
    "purchase, parts and labour included. Keep this card with your receipt.\n"
)


def test_a_form_s_fields_are_read_as_sentences_and_marked_in_the_file(tmp_path):
    """A new user's "What is the model number of the dishwasher?" marked "60 cm, 14 place settings" in
    the line above: read as it stands, the reader found "60 cm" (margin 1.0); each field said as a
    sentence ("The Model number is KDW-614X."), it finds the value (8.5)."""
    from assistant.answers.reading import fields_said
    from projects import write_project

    stretch = fields_said(WARRANTY, 100)  # the stretch as it stands at offset 100 of its file
    assert "The Model number is KDW-614X. The Serial number is KD23-0917-55820." in stretch.text
    assert all(stretch.text[a:b] == WARRANTY[at - 100 : at - 100 + b - a] for a, b, at in stretch.pieces)
    # The prose after the fields is read as it stands, not as the last field's value.
    assert stretch.text.endswith("Retailer is HomeElec Direct, Cribbs Causeway, Bristol. Your dishwasher is guaranteed"
                                 " against faults in materials and manufacture for 2 years from the date of purchase,"
                                 " parts and labour included. Keep this card with your receipt.")
    assert fields_said("Reading on: a colon in prose.\nThe next line.", 7).pieces == ()  # one field is no form

    assistant = Assistant.open(write_project(tmp_path / "card", sources={"warranty.txt": WARRANTY}))
    assistant.build_index()
    for question, value in (("What is the model number of the dishwasher?", "KDW-614X"), ("What is the serial number?", "KD23-0917-55820")):
        first = assistant.ask(question).snippets[0]
        assert first.is_answer and first.answer is not None and first.answer.text == value
        assert WARRANTY[first.answer.start : first.answer.end] == value
