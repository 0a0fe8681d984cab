"""A quote answers what the question names: the error code it gives (not its neighbour's), and the
person it names (not the one the sentence before spoke of). From a new user's trial over a project's
documentation (trial 53)."""

import pytest

from projects import built_project

TROUBLESHOOTING = """Quillmark troubleshooting

Error codes

QM-101: The input file could not be found. Check the path you gave.
QM-102: A font named in the document is not installed. Install it or remove the font setting.
QM-103: The preview port is already in use. Set preview_port to a free port, for example 7342.
QM-104: The configuration file contains an unknown option name.
QM-105: An image could not be decoded. Only PNG, JPEG and SVG images are supported.
"""

CONFIGURATION = """# Configuration

Options are read from quillmark.toml in the project folder.

Unknown option names are an error, reported as code QM-104.
"""

CONTRIBUTING = """# Contributing to Quillmark

## Maintainers

Quillmark has two maintainers.

Ingrid Solberg is the lead maintainer and the original author of Quillmark. She lives in Bergen, Norway. She started the project in January 2021. She maintains the layout engine and the PDF writer.

Marcus Okafor is the second maintainer. He lives in Lagos, Nigeria. He joined the project in May 2022. He maintains the syntax highlighting and the preview server.
"""


@pytest.fixture(scope="module")
def project_docs(tmp_path_factory):
    return built_project(
        tmp_path_factory.mktemp("quillmark"),
        {"troubleshooting.txt": TROUBLESHOOTING, "configuration.md": CONFIGURATION, "CONTRIBUTING.md": CONTRIBUTING},
    )


@pytest.mark.parametrize("code", ["QM-103", "QM-105", "qm-102"])
def test_an_error_code_is_answered_by_its_own_line(project_docs, code):
    """"What does error QM-103 mean?" quoted "Unknown option names are an error, reported as code QM-104."
    (its "error" and "QM"), and the code's own line came second, after the line before it."""
    first = project_docs.ask(f"What does error {code} mean?").snippets[0]
    assert first.citation.source == "troubleshooting.txt"
    assert first.text.startswith(code.upper())  # its own line, not the one before joined to it


def test_a_code_counts_only_whole():
    from assistant.answers.answering import lexical_overlap
    from assistant.retrieval.codes import codes_in, holds_run

    assert codes_in("What does error QM-103 mean?") == (("qm", "103"),)
    assert codes_in("Is SARS-CoV-2 worse than COVID-19 in version 2.4.0?") == (("sar", "cov", "2"), ("covid", "19"), ("2", "4", "0"))
    assert codes_in("What changed in v2.4.0?") == (("2", "4", "0"),)  # the "v" is no part of the version
    assert codes_in("What does VLAN-10 carry?") == (("vlan", "10"),)  # but of a name
    assert codes_in("Are COVID-19-related deaths counted?") == (("covid", "19"),)  # to its last part with a digit
    assert codes_in("What is E21 on the ledger-service?") == ()  # one term each: matched as any word
    # A time is one thing: "What happened at 14:52?" quoted a timeline's "14:19 — ..." for its "14".
    assert codes_in("What happened at 14:52 during the outage?") == (("14", "52"),)
    assert holds_run(["code", "qm", "103"], ("qm", "103")) and not holds_run(["qm", "104", "103"], ("qm", "103"))
    idf = {"error": 1.0, "qm": 2.0, "103": 3.0, "104": 3.0}
    codes = codes_in("What does error QM-103 mean?")
    assert lexical_overlap(["error", "qm", "103"], "an error, reported as code QM-104", idf, codes) == pytest.approx(1 / 6)
    assert lexical_overlap(["error", "qm", "103"], "QM-103: the port is in use", idf, codes) == pytest.approx(5 / 6)
    # Two codes: a line holding one keeps the parts it shares with the other.
    both = codes_in("What is the difference between QM-103 and QM-104?")
    assert lexical_overlap(["qm", "103", "104"], "QM-103: the port is in use", idf, both) == pytest.approx(5 / 8)


@pytest.mark.parametrize(
    ("text", "another"),
    [
        ("QM-102: A font is missing.\nQM-103: The port is in use.", True),  # a line's label: another entry
        ("Version 2.4.1 is current.\nE21: the drum is blocked.", True),
        ("What is it?\nA: A tool.", False),  # an answer goes with its question
        ("It was hot.\nNote: wear gloves.", False),
        ("Press the red button.\nWARNING: the plate is hot.", False),  # an admonition goes with its line
        ("It rained for days. QM-103: one line", False),  # not at a line's start
    ],
)
def test_a_line_opening_with_a_code_and_a_colon_is_another_point(text, another):
    from assistant.answers.answering import opens_another_point

    start = text.rindex(text.split("\n")[-1].split(". ")[-1])
    assert opens_another_point(text, start) is another


def test_a_he_or_she_is_whom_the_sentence_before_the_run_names(project_docs):
    """"When did Ingrid Solberg join?" quoted Marcus Okafor's "He joined the project in May 2022" and
    marked its date; his paragraph's "He" sentences speak of him, hers of her."""
    from assistant.answers.referents import Asked, spoken_of

    index = project_docs.load_index()
    passages = [index.passages[r] for r in range(len(index.passages))]
    said = {s.text: found for p in passages for s, found in zip(p.sentences, spoken_of(p))}
    assert said["He joined the project in May 2022."].name == "Marcus Okafor"
    assert said["She started the project in January 2021."].name == "Ingrid Solberg"
    assert said["Ingrid Solberg is the lead maintainer and the original author of Quillmark."] is None
    passage = next(p for p in passages if "Marcus" in p.text)
    spoken = spoken_of(passage)
    joined = next(j for j, s in enumerate(passage.sentences) if s.text.startswith("He joined"))
    assert Asked(people=frozenset({"ingrid", "solberg"})).of_another(passage, joined, spoken)
    assert not Asked(people=frozenset({"marcus"})).of_another(passage, joined, spoken)
    assert not Asked().of_another(passage, joined, spoken)
    first = project_docs.ask("When did Ingrid Solberg join?").snippets[0]
    assert "May 2022" not in first.text and "Ingrid" not in (first.answer.text if first.answer else "")
    assert first.citation.label() == "CONTRIBUTING.md:7"


def test_a_thing_the_question_names_is_no_person(project_docs):
    """Quillmark is named by the question, but the sources never go on of it with "He": a sentence about
    Marcus Okafor still answers "When did the second Quillmark maintainer join?"."""
    answer = project_docs.ask("When did the second Quillmark maintainer join?")
    marked = [s.answer.text for s in answer.snippets if s.answer is not None]
    assert "May 2022" in marked


def passage_of(*sentences: str):
    """A passage of one line holding ``sentences``, a space between each."""
    import projects

    return projects.passage_of(*sentences, title="Businessweek", source="s.txt", sep=" ")


@pytest.mark.parametrize(
    ("before", "name"),
    [
        ("Stephen B. Shepard served as editor-in-chief from 1984.", "Stephen B. Shepard"),
        ("Dr. Jane Goodall studied chimpanzees.", "Dr. Jane Goodall"),
        ("J. K. Rowling wrote seven books.", "J. K. Rowling"),
        ("Émile Zola wrote novels.", "Émile Zola"),
        ("Under Shepard, readership grew to six million.", None),  # a word of English opens it
        ("In 1982, Conan the Barbarian was released.", None),
        ("Born in Hamburg, Tobias studied law.", None),
    ],
)
def test_only_a_sentence_opening_with_a_name_says_whom_a_he_speaks_of(before, name):
    from assistant.answers.referents import matched_words, spoken_of

    passage = passage_of("Businessweek grew.", before, "He was succeeded by Stephen J. Adler.")
    spoken = spoken_of(passage)
    assert (spoken[2].name if spoken[2] else None) == name
    assert matched_words(passage, 2, spoken) == " ".join(filter(None, ["He was succeeded by Stephen J. Adler.", name]))
    # A passage opening with "He" speaks of whom its title names.
    opening = passage_of("He was succeeded by Stephen J. Adler.")
    assert spoken_of(opening) == [None] and matched_words(opening, 0, [None]).endswith(" Businessweek")


def test_a_he_after_a_sentence_naming_the_person_asked_about_speaks_of_them():
    """"Google hired Marcus Okafor. He ..." opens with Google, but names Marcus Okafor."""
    from assistant.answers.referents import Asked, spoken_of

    passage = passage_of("Google hired Marcus Okafor in 2019.", "He leads the search team.")
    spoken = spoken_of(passage)
    assert spoken[1].name == "Google"
    assert not Asked(people=frozenset({"marcus", "okafor"})).of_another(passage, 1, spoken)
    assert Asked(people=frozenset({"ingrid"})).of_another(passage, 1, spoken)


LAB = {
    "people.csv": (
        "name,role,room,phone extension,joined\n"
        "Amara Nwosu,Lab head,B214,4410,2014\n"
        "Hannah Becker,Lab manager,B218,4402,2016\n"
        "Tomás Rivera,Postdoctoral fellow,B220,4437,2021\n"
    ),
    "tomas-rivera.md": (
        "# Tomás Rivera\n\nTomás Rivera is a postdoctoral fellow in the Nwosu Lab. He grew up in Valparaíso, Chile,"
        " and completed his PhD in Santiago. He joined the lab in September 2021 and studies actin dynamics"
        " in the growth cones of neurons.\n"
    ),
}


def test_a_table_row_is_matched_on_its_columns_names(tmp_path):
    """A new user's "What is his room?" after a question about Tomás Rivera quoted his biography, which
    names him but no room; his row in the people table is read under its columns ("room")."""
    from assistant.models import Conversation

    lab = built_project(tmp_path, LAB)
    first = lab.ask("What is Tomás Rivera's extension?")
    room = lab.ask("What is his room?", conversation=Conversation().then(first)).snippets[0]
    assert room.citation.source == "people.csv" and room.text.startswith("| Tomás Rivera |")
    assert room.answer is not None and room.answer.text == "B220"


RUNBOOK = """# On-call runbook

Each alert section names its owner and whom to escalate to.

## BillingApiHighErrorRate

Owner: Elena Sokolova
Escalation: Priya Nair (engineering manager), then the CTO

Fires when more than 2% of billing-api requests return a 5xx status for 5 minutes.

## LedgerReplicationLag

Owner: Tomás Ortega
Escalation: Marcus Webb (SRE lead)

Fires when the ledger replica is more than 30 seconds behind the primary.

## WebhookQueueBacklog

Owner: Dev Patel
Escalation: Priya Nair

Fires when more than 10,000 webhooks wait in the queue.
"""


def test_a_line_under_a_heading_naming_what_is_asked_is_matched_on_it(tmp_path):
    """A new user's "Who is the escalation contact for LedgerReplicationLag?" quoted another alert's
    escalation line: every section's "Escalation:" line is alike, and only its heading names the alert."""
    from projects import built_project

    runbook = built_project(tmp_path, {"runbook.md": RUNBOOK})
    first = runbook.ask("Who is the escalation contact for LedgerReplicationLag?").snippets[0]
    assert "Escalation: Marcus Webb" in first.text and first.is_answer
    first = runbook.ask("Who owns the WebhookQueueBacklog alert?").snippets[0]
    assert "Owner: Dev Patel" in first.text



def test_a_version_asked_finds_its_section_by_its_heading(tmp_path):
    """A new user's "What changed in 3.3.1?" of a changelog quoted its introduction: the version and its
    date stand in the section's heading, whose terms (3, 1, a date) most versions' headings hold, and its
    bullets name no version; the section is found by its heading holding the version whole."""
    from assistant.retrieval.ranking import rank_question
    from projects import DATA, built_project

    team = DATA / "team"
    docs = built_project(tmp_path, {f.name: f.read_text(encoding="utf-8") for f in team.glob("*.md") if f.name != "README.md"})
    snippets = docs.ask("What changed in 3.3.1?").snippets
    assert any(s.passage.title.endswith("3.3.1 - 2025-06-17") for s in snippets), [s.text for s in snippets]
    # Its date stands in no sentence, so "When was version 3.2.0 released?" is answered by no quote yet;
    # but the section is among the candidates, so that its lines are read and shown under its heading.
    ranking = rank_question(docs.load_index(), docs.load_question_encoder(), docs.config.settings.retrieval,
                            "When was version 3.2.0 released?", "hybrid")
    assert any(docs.load_index().passages[c.row].title.endswith("3.2.0 - 2025-04-14") for c in ranking.ranked[:8])


def test_a_date_or_version_in_a_section_s_heading_is_quoted_with_the_line_under_it(tmp_path):
    """A new user's "When did the default page size change to A4?" of a changelog marked "US Letter":
    the date stands in the section's heading ("## 2.3.0 - 2023-10-30"), which no quote held; and
    "Which version removed the --legacy-fonts flag?" marked nothing."""
    from projects import DATA, built_project

    text = (DATA / "team" / "CHANGELOG.md").read_text(encoding="utf-8")
    changelog = built_project(tmp_path, {"CHANGELOG.md": text})
    for question, heading, marked in (
        ("When was the rounding of amounts in Japanese yen fixed?", "3.2.1 - 2025-04-29", "2025-04-29"),
        ("Which version fixed the rounding of amounts in Japanese yen?", "3.2.1 - 2025-04-29", "3.2.1"),
    ):
        first = changelog.ask(question).snippets[0]
        assert first.text.startswith(heading) and "Japanese yen" in first.text, first.text
        assert first.answer is not None and first.answer.text == marked
        assert text[first.citation.start : first.citation.end] == first.text  # a slice of the file
        assert text[first.answer.start : first.answer.end] == marked
        assert text.splitlines()[first.citation.line_start - 1].endswith(heading)  # cited from its line
    # A quote that says the date itself is left as it is; so is a question asking neither.
    assert not changelog.ask("What changed in the rounding of Japanese yen?").snippets[0].text.startswith("3.2.1")


def test_a_version_s_date_in_its_heading_is_read_and_a_bullet_saying_only_the_question_s_words_kept(tmp_path):
    """ "When was 2.4.0 released?" quoted another file's plans for 2.5 (the changelog's bullets hold no
    date: the reader now reads them under their heading); "Which version removed the --legacy-fonts
    flag?" abstained, its bullet "Removed the `--legacy-fonts` flag." dropped as a restatement of the
    question."""
    from projects import DATA, built_project

    team = DATA / "team"
    docs = built_project(tmp_path, {f.name: f.read_text(encoding="utf-8") for f in team.glob("*.md") if f.name != "README.md"})
    first = docs.ask("When was 3.3.0 released?").snippets[0]
    assert first.text.startswith("3.3.0 - 2025-06-02") and first.is_answer
    assert first.answer is not None and first.answer.text == "2025-06-02"
    first = docs.ask("Which version raised the rate limit for invoices:read?").snippets[0]
    assert first.text.startswith("3.4.0 - 2025-07-08") and first.answer is not None and first.answer.text == "3.4.0"
    # A version few passages hold is specific: a line holding another ("Version: 2.3, approved 3
    # February 2025" in the security policy) was quoted first; so were the changelog's intro's words.
    first = docs.ask("When was version 3.2.0 released?").snippets[0]
    assert first.text.startswith("3.2.0 - 2025-04-14") and first.answer is not None and first.answer.text == "2025-04-14"
    first = docs.ask("What changed in 3.3.1?").snippets[0]
    assert first.passage.title.endswith("3.3.1 - 2025-06-17"), first.text
    quillmark = built_project(tmp_path / "quillmark", {"CHANGELOG.md": QUILLMARK_CHANGES})
    first = quillmark.ask("Which version removed the --legacy-fonts flag?").snippets[0]
    assert first.text.startswith("2.0.0 - 2023-06-12") and "Removed the `--legacy-fonts` flag." in first.text
    assert first.is_answer and first.answer is not None and first.answer.text == "2.0.0"


QUILLMARK_CHANGES = """# Changelog

## 2.4.0 - 2024-02-05

- Added the `watermark` option, which prints a diagonal text on every page.
- Syntax highlighting now covers 42 languages, up from 35.

## 2.3.0 - 2023-10-30

- Added math formulas in LaTeX syntax.
- The default page size changed from US Letter to A4.

## 2.0.0 - 2023-06-12

- Rewrote the layout engine; documents render about 3 times faster.
- Removed the `--legacy-fonts` flag.
"""


def test_a_span_opening_with_a_question_word_asks_and_does_not_answer():
    from assistant.answers.reading import asks_again

    assert asks_again("who owns it")
    assert asks_again("Which alert to page")
    assert not asks_again("when the indicator light turns red")  # "when" and "where" open answers too
    assert not asks_again("Whoville")
    assert not asks_again("Marcus Webb")


def test_a_question_naming_a_row_s_key_is_not_answered_from_another_row():
    """"what language is the billing-api written in?" found "Python" in notification-worker's row,
    surer than billing-api's "Go": the rows of a table that hold none of the question's names,
    identifiers or codes, where another row of the file holds one, are another's."""
    from assistant.answers.referents import Asked
    from assistant.store.lexical import tokenize

    rows = passage_of("| billing-api | Elena Sokolova | 8080 | Go |", "| search-indexer | Liam Byrne | 9200 | Python |")
    table = rows.model_copy(update={"id": "t", "source": "services.csv", "kind": "table"})
    asked = Asked(keys=(tuple(tokenize("billing-api")),))
    assert asked.rows_of_another([table]) == {("t", 1)}
    assert Asked(keys=(tuple(tokenize("ledger-service")),)).rows_of_another([table]) == set()  # no row holds it
    assert Asked().rows_of_another([table]) == set()


def test_a_row_whose_own_name_holds_fewer_of_the_question_s_words_is_not_the_one_asked_about():
    """A new user's "When is the black bin collected?" quoted the "Blue wheelie bin" row, which says
    "alternating with the black bin", over the "Black wheelie bin" row: a row's first cell is its name."""
    from assistant.answers.referents import Asked
    from assistant.store.lexical import tokenize

    rows = passage_of(
        "| Black wheelie bin | General rubbish | Every other Tuesday |",
        "| Blue wheelie bin | Plastic bottles | Every other Tuesday, alternating with the black bin |",
        "| Green recycling box | Glass and cans | Every Tuesday |",
    )
    table = rows.model_copy(update={"id": "t", "source": "notes.html", "kind": "table"})
    asked = Asked(terms=frozenset(tokenize("When is the black bin collected?")))
    assert asked.rows_of_another([table]) == {("t", 1), ("t", 2)}
    assert Asked(terms=frozenset(tokenize("When is the green box collected?"))).rows_of_another([table]) == {("t", 0), ("t", 1)}
    # Where no row's name holds a word of the question, every row may be the one.
    assert Asked(terms=frozenset(tokenize("When is the glass collected?"))).rows_of_another([table]) == set()
    # Lines of code are no table's rows.
    code = rows.model_copy(update={"id": "c", "kind": "code"})
    assert asked.rows_of_another([code]) == set()


def test_the_black_bin_s_row_answers_when_the_black_bin_is_collected(tmp_path):
    from projects import built_project

    notes = built_project(tmp_path, {"bins.md": (
        "# Bin collections\n\n"
        "| Container | What goes in it | When it is collected |\n|---|---|---|\n"
        "| Black wheelie bin | General rubbish that cannot be recycled | Every other Tuesday (next: 4 February 2025) |\n"
        "| Green recycling box | Glass bottles and jars, cans, foil, paper | Every Tuesday |\n"
        "| Blue wheelie bin | Plastic bottles, pots, tubs and trays; cartons | Every other Tuesday, alternating with the black bin |\n"
        "| Garden waste bin | Grass, leaves, hedge cuttings | Every other Thursday |\n"
    )})
    first = notes.ask("When is the black bin collected?").snippets[0]
    assert first.text.startswith("| Black wheelie bin |"), first.text


def test_a_table_s_row_is_matched_on_the_heading_of_the_section_it_stands_in():
    """A new user's "when is the midterm" never had the exam page's "| Date | Thursday 6 March 2025 |"
    read: the row under "Midterm exam" names no midterm, and its table has no header row."""
    from assistant.answers.referents import matched_words

    row = passage_of("| Date | Thursday 6 March 2025 |").model_copy(update={"kind": "table", "title": "Exam Information — Midterm exam"})
    assert matched_words(row, 0, [None]).endswith("Midterm exam")
    headed = row.model_copy(update={"title": "Exam Information — Midterm exam — Item · Details"})
    assert "Item · Details" in matched_words(headed, 0, [None]) and matched_words(headed, 0, [None]).endswith("Midterm exam")
    alone = row.model_copy(update={"title": "schedule — week · date · topic"})
    # No section: the file's title, the table's caption ("| Expense | Insurance | 16600 |" of budget_2024.csv).
    assert matched_words(alone, 0, [None]).endswith("week · date · topic schedule")


INSPECTION = """# Food Hygiene Inspection Report

Date of inspection: 19 August 2025. Inspecting officer: Gareth Lanyon.

## Food hygiene rating

Rating awarded: 4 (Good). Previous rating: 5 (Very Good), awarded on 9 May 2022.

| Area | Score (lower is better) |
| --- | --- |
| Hygienic food handling | 5 |
| Cleanliness and condition of facilities and building | 10 |
| Management of food safety | 5 |

## Good practice seen

Probe thermometers were calibrated weekly and the records were complete.
"""


def test_a_sentence_under_a_heading_the_question_says_whole_is_matched_with_it(tmp_path):
    """Trial 63's "what's our food hygiene rating" quoted the score table's rows, matched with the
    heading above them ("Food hygiene rating"), over the sentence under the same heading that gives
    the rating, matched with its own words alone."""
    from assistant.answers.referents import heading_names

    report = built_project(tmp_path, {"inspection.md": INSPECTION})
    index = report.load_index()
    rating = next(p for p in index.passages.many(range(len(index.passages))) if "Rating awarded" in p.text)
    assert heading_names(rating, frozenset(), frozenset({"what", "food", "hygien", "rate"})) == "Food hygiene rating"
    assert heading_names(rating, frozenset(), frozenset({"food", "rate"})) == ""  # "hygiene" not asked
    quoted = [s.text for s in report.ask("what's our food hygiene rating").snippets]
    assert any(text.startswith("Rating awarded: 4 (Good).") for text in quoted), quoted


PAPERS = {
    "papers/haddad_2024_madrid_transects.txt": (
        "Street trees and air temperature in Madrid\n\n"
        "In mid-afternoon, streets with continuous tree cover were on average 2.8 °C cooler than treeless streets.\n"
    ),
    "papers/okafor_2023_lisbon_street_trees.txt": (
        "Street trees and heat exposure in Lisbon\n\n"
        "Under dense canopy the afternoon air was 1.5 °C cooler than on comparable streets without trees.\n"
    ),
    "papers/kowalczyk_2021_warsaw_survival.txt": (
        "Survival of newly planted street trees in Warsaw\n\n"
        "Of 1,260 trees planted between 2016 and 2018, 78% were alive after two summers. We did not measure "
        "temperature, so we cannot say how the losses changed the cooling the trees provide.\n"
    ),
}


def test_a_file_the_question_names_by_a_name_keeps_other_files_from_answering_unless_they_name_it(tmp_path):
    """Trial 64's "how much cooler were the Warsaw streets with trees" was answered with the Madrid
    paper's 2.8 °C: the question names the Warsaw paper's file, and the Madrid paper never says Warsaw."""
    from assistant.answers.answering import of_another_named, passage_terms
    from assistant.retrieval.named_sources import file_naming_terms

    papers = built_project(tmp_path, PAPERS)
    index = papers.load_index()
    naming = file_naming_terms(index, "how much cooler were the Warsaw streets with trees")
    assert naming == {"warsaw": frozenset({"papers/kowalczyk_2021_warsaw_survival.txt"})}
    passages = {p.source: p for p in index.passages.many(range(len(index.passages)))}
    madrid, warsaw = passages["papers/haddad_2024_madrid_transects.txt"], passages["papers/kowalczyk_2021_warsaw_survival.txt"]
    assert of_another_named(madrid.source, passage_terms(madrid), naming)
    assert not of_another_named(warsaw.source, passage_terms(warsaw), naming)
    assert file_naming_terms(index, "how much cooler were streets with trees") == {}  # no name: no file named
    # A word of one file's name that every paper writes names no file: "Street" of the Lisbon paper's name.
    from assistant.answers.answering import naming_its_files

    asked = file_naming_terms(index, "How much cooler are Street trees in Warsaw?")
    assert set(asked) == {"street", "warsaw"}
    assert set(naming_its_files(asked, [(p.source, passage_terms(p)) for p in passages.values()])) == {"warsaw"}
    first = papers.ask("how much cooler were the Warsaw streets with trees").snippets[0]
    assert first.citation.source == "papers/kowalczyk_2021_warsaw_survival.txt", first.text  # "we cannot say"
