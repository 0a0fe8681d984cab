"""Markdown, HTML and PDF: real files made here, indexed, and answered from, with citations that slice exactly."""

from __future__ import annotations

import pytest

from assistant.models import Citation
from assistant.sources.formats import FileLines, html_text, pdf_text

from pdf_files import LIGHTHOUSE_FILE, LIGHTHOUSE_PDF, LIGHTHOUSE_QUESTION, make_paged_pdf, make_pdf
from projects import write_project


REPORT_PDF = make_pdf(
    [
        ["Annual report of the Northern Lighthouse Board", "Prepared for the harbour council."],
        [
            "Storms",
            "",
            "During the great storm the keeper counted three hundred and twelve ships passing the cape.",
            "The lamp burned whale oil until the year 1902.",
        ],
    ]
)
# A handbook as a word processor prints it: a running footer "Page N of 3", a sentence running over the
# first page break, words broken at a line's end, and numbered headings between paragraphs.
HANDBOOK_PDF = make_paged_pdf(
    [
        [
            "# Harbour Office staff handbook",
            "This handbook sets out the rules that apply to the staff of the Harbour Office in Leith,",
            "and it was last revised by the personnel committee in the spring.",
            "",
            "The final recommendation of the committee, adopted after a long debate in which",
            "several members",
        ],
        [
            "argued for delay, was to close the Antwerp office by the end of 2025.",
            "# 2. Leave",
            "Full-time employees receive 27 days of paid annual leave per calendar year, plus the",
            "public holidays. Part-time employees receive leave in proportion to their hours.",
            "",
            "Staff turnover was high in the logistics department because of the intro-",
            "duction of night shifts, and the full-",
            "time staff asked for more leave before the intended start date.",
            "# 3. Sick leave",
            "An employee who is ill must call their manager before nine on the first day.",
        ],
        [
            "# 4. Expenses",
            "Meals during business travel are reimbursed up to 45 euros per day, with receipts.",
            "Receipts must be uploaded to the expense portal within 30 days of the journey.",
        ],
    ]
)
GUIDE_HTML = """<!doctype html>
<html><head><title>Beekeeping guide</title>
<style>.x { color: red } /* queen bees love css */</style>
<script>var hive = "the queen lays mangoes in the script";</script></head>
<body>
<h1>Beekeeping &amp; honey</h1>
<p>A healthy queen bee lays up to two thousand eggs
   in a single summer day.</p>
<div hidden>The queen is secretly a wasp.</div>
<p style="display: none">Hidden advertising about queen bees.</p>
<ul><li>Smoke calms the colony before an inspection.</li></ul>
<noscript>Enable scripts to see the queen.</noscript>
</body></html>
"""
NOTES_MD = """# Garden notes

Tomatoes ripen faster when the **greenhouse** stays above twenty degrees.

## Pests

Slugs were kept away from the lettuce with a ring of copper tape.
"""


def test_html_visible_text_leaves_out_scripts_styles_and_hidden_parts():
    text = html_text(GUIDE_HTML).text
    assert text == (
        "Beekeeping & honey\n\n"
        "A healthy queen bee lays up to two thousand eggs in a single summer day.\n\n"
        "- Smoke calms the colony before an inspection.\n"  # an item under its bullet, as a browser shows it
    )


def test_an_html_list_is_one_paragraph_of_items_under_their_numbers():
    """A help centre's steps (<ol><li>) were paragraphs apart without their numbers, quoted one at a
    time; a list is now read as the page shows it, an item a line under its number or bullet."""
    page = (
        "<h2>If you still have your old phone</h2>\n<ol>\n<li>Go to the security page and sign in.</li>\n"
        "<li><p>Click <strong>Add sign-in method</strong>.</p><p>Choose the app.</p></li>\n</ol>\n"
        "<ol start=\"7\"><li>Approve the test notification.</li></ol>\n<ul><li>Keep the old phone<ul><li>until it is done</li></ul></li></ul>\n"
    )
    extracted = html_text(page)
    assert extracted.text == (
        "If you still have your old phone\n\n1. Go to the security page and sign in.\n2. Click Add sign-in method.\n"
        "Choose the app.\n\n7. Approve the test notification.\n\n- Keep the old phone\n- until it is done\n"
    )
    lines = FileLines(extracted.file_lines)
    assert lines.line_of(extracted.text.index("2. Click")) == 4  # the item's own line of the file


# A page as a browser saves it: the site's furniture around the article (a new user's saved conference
# page quoted its cookie banner as the answer: "The abstract submission deadline cookie is stored for 30
# days."), and content that only looks like furniture (a restaurant's menu, a link inside prose).
SAVED_PAGE_HTML = """<html><body class="has-cookie-banner">
<a class="skip-link" href="#main">Skip to content</a>
<header><div class="logo">Harbour Times</div></header>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li></ul></nav>
<div class="topbar"><a href="/">Home</a> | <a href="/archive">Archive</a> | <a href="/about">About me</a></div>
<div id="cookie-consent"><p>The abstract submission deadline cookie is stored for 30 days.</p></div>
<div role="dialog"><p>Accept all cookies?</p></div>
<main><article><header><h1>The north light</h1></header>
<p>The north light was first lit in 1872, as <a href="/keepers">the keepers' log</a> records.</p>
<section class="menu"><p>Fish soup costs 9 euros at the quay cafe.</p></section>
</article></main>
<aside class="sidebar"><p>Most read this week</p></aside>
<footer><p>© 2025 Harbour Times · Privacy policy</p></footer>
</body></html>
"""


def test_a_saved_pages_furniture_is_no_text_of_it():
    assert html_text(SAVED_PAGE_HTML).text == (
        "The north light\n\n"
        "The north light was first lit in 1872, as the keepers' log records.\n\n"
        "Fish soup costs 9 euros at the quay cafe.\n"
    )


@pytest.mark.parametrize(
    "page, text",
    [
        # A theme's wrapper named for its sidebar holds the page's <main>.
        ('<div class="content-sidebar-wrap"><main><h1>Tides</h1><p>High water at noon.</p></main>'
         '<aside class="sidebar">Most read</aside></div>', "Tides\n\nHigh water at noon.\n"),
        ('<div id="content" class="page-with-sidebar"><p>High water at noon.</p></div><footer>© 2024</footer>',
         "High water at noon.\n"),
        # A heading's id names its section, whatever the words.
        ('<h2 id="Navigation">Navigation</h2><p>Ships steered by the stars.</p>', "Navigation\n\nShips steered by the stars.\n"),
        # Pandoc's title block is a <header> in <body>, holding the page's <h1>: read whole.
        ('<header id="title-block-header"><h1>Tide report</h1><p>Ann Lee</p></header><p>High water at noon.</p>',
         "Tide report\n\nAnn Lee\n\nHigh water at noon.\n"),
        # Sphinx's content is role="main": its <header> and an article's <aside> note are the content's own.
        ('<div role="main"><header><h2>Tides</h2></header><aside class="note"><p>Mind the rocks.</p></aside></div>',
         "Tides\n\nMind the rocks.\n"),
        # A byline is not a menu, nor a paragraph of links after a table whose cells are links.
        ('<p>By <a href="/j">Jane Smith</a>, <a href="/d">John Doe</a> and <a href="/a">Ana Lopez</a></p>',
         "By Jane Smith, John Doe and Ana Lopez\n"),
        ('<table><tr><td><a href="/b">Berlin</a></td><td>3</td></tr></table>'
         '<p>See <a href="/1">one</a>, <a href="/2">two</a> and <a href="/3">three</a>.</p>',
         "| Berlin | 3 |\n\nSee one, two and three.\n"),
    ],
    ids=["wrapper", "page-with-sidebar", "heading-id", "title-block", "role-main", "byline", "links-after-table"],
)
def test_content_that_only_looks_like_furniture_stays(page, text):
    assert html_text(page).text == text


def test_a_page_that_is_all_furniture_is_read_whole():
    """A menu saved alone is the page's text, rather than no text at all."""
    assert html_text("<nav><p>Harbour walks: north pier, south pier</p></nav>").text == "Harbour walks: north pier, south pier\n"


PAGE_HTML = """<html>
<head>
<style>
p { margin: 0 }
</style>
</head>
<body><h1>Harbour &amp; lights</h1>
<p>The north light was lit
in 1872 and
   still turns.</p><p>The south light is new.</p>
<pre>
keeper  shift
Ada     dawn
</pre>
<div>Boats  <b>wait</b>
at the quay.</div></body></html>
"""


def test_html_text_knows_the_file_line_of_every_word():
    """HTML's visible text leaves the markup's lines behind; each of its words still knows the line of
    the file it stands on, so a citation opens the file where the words are."""
    extracted = html_text(PAGE_HTML)
    assert extracted.text == (
        "Harbour & lights\n\nThe north light was lit in 1872 and still turns.\n\nThe south light is new.\n\n"
        "keeper  shift\nAda     dawn\n\nBoats wait at the quay.\n"
    )
    raw = PAGE_HTML.splitlines()
    lines = FileLines(extracted.file_lines)
    for word in ("Harbour", "north", "1872", "still", "south", "keeper", "Ada", "Boats", "wait", "quay"):
        at = extracted.text.index(word)
        assert word in raw[lines.line_of(at) - 1], word
    # Lines of the file back to the text they show: lines 8-10, two paragraphs; 13, a line of the table.
    start, end = lines.span_of(8, 10, len(extracted.text))
    assert extracted.text[start:end].strip() == "The north light was lit in 1872 and still turns.\n\nThe south light is new."
    start, end = lines.span_of(13, 13, len(extracted.text))
    assert extracted.text[start:end].strip() == "Ada     dawn"
    assert lines.span_of(3, 5, len(extracted.text))[0] == lines.span_of(3, 5, len(extracted.text))[1]  # the style: no text


BRANCHES_HTML = """<html><body>
<table><caption>Branches</caption>
<tr><th>Branch</th><th>Phone</th></tr>
<tr><td>North</td><td>555-0101</td></tr>
<tr><td><p>Harbour</p><p>(by the quay)</p></td>
    <td>555-0199</td></tr>
</table>
<table><tr><td><p>A page laid out in a table.</p><p>Its cells are paragraphs.</p></td></tr></table>
</body></html>
"""


def test_inline_markup_never_splits_a_word_or_its_punctuation():
    assert html_text("<p>H<sub>2</sub>O and <b>W</b>ord, see <a href=x>link</a>.</p>").text == "H2O and Word, see link.\n"


def test_only_h1_to_h6_are_headings_and_a_br_breaks_a_line_not_a_paragraph():
    """A paragraph broken at a <br>, or a short <p> without a full stop, read as a heading by its look:
    never quoted, so "Who is the observatory director?" was answered with the deputy."""
    from assistant.sources.documents import Document
    from assistant.sources.passages import split_passages

    page = (
        "<html><body>\n<h1>Observatory</h1>\n<div>The observatory director is Dr. Amara Nwosu<br>and her deputy is Lars Eriksen.</div>\n"
        "<p>Our office manager is Jane Smith</p><p>She answers the phone from 9 to 5.</p>\n</body></html>\n"
    )
    extracted = html_text(page)
    document = Document("o.html", extracted.text, "", "utf-8", file_lines=extracted.file_lines, headings=extracted.headings)
    passages = split_passages(document, 1200)
    assert [p.text for p in passages] == [
        "The observatory director is Dr. Amara Nwosu\nand her deputy is Lars Eriksen.",
        "Our office manager is Jane Smith",
        "She answers the phone from 9 to 5.",
    ]
    assert {p.title for p in passages} == {"Observatory"} and [p.line_start for p in passages] == [3, 4, 4]


def test_an_html_table_is_read_a_row_a_line_with_its_header_as_markdowns_are():
    """Each cell alone on a line of its own quoted "555-0199" with no branch: a row now says its cells
    together, and the header row is a header (the rule under it), so the table is cut as Markdown's."""
    extracted = html_text(BRANCHES_HTML)
    assert extracted.text == (
        "Branches\n\n| Branch | Phone |\n| --- | --- |\n| North | 555-0101 |\n| Harbour (by the quay) | 555-0199 |\n\n"
        "A page laid out in a table. Its cells are paragraphs.\n"
    )
    lines, raw = FileLines(extracted.file_lines), BRANCHES_HTML.splitlines()
    for word in ("Branches", "Phone", "North", "quay", "555-0199", "laid"):
        assert word in raw[lines.line_of(extracted.text.index(word)) - 1], word
    # A row's line is its own from its first character (its "| " was counted on the row before).
    row = extracted.text.index("| North")
    assert lines.line_of(row) == lines.line_of(row + 2) == 4


def test_a_cell_spanning_columns_keeps_the_next_cell_under_its_own_header():
    extracted = html_text(
        "<table><tr><th>Plan</th><th>Fee</th><th>Days</th></tr><tr><td>Senior</td><td>120</td><td>Every day</td></tr>"
        '<tr><td colspan="2">Life membership</td><td>Every day</td></tr><tr><td colspan="x">Odd</td><td>1</td><td>2</td></tr></table>'
    )
    assert extracted.text.splitlines()[3:] == ["| Life membership |  | Every day |", "| Odd | 1 | 2 |"]


def test_a_table_row_is_quoted_alone_and_its_own_value_marked(tmp_path):
    """Read beside its neighbours, the reader marked the sourdough's price for the rye loaf, and the
    rows were quoted as one; each row is now read and quoted alone."""
    from assistant import Assistant

    page = (
        "<html><body><h1>Bakery</h1>\n<p>The bakery opens at 5 am every weekday.</p>\n<table>\n"
        "<tr><td>Sourdough loaf</td><td>4.50 euros</td></tr>\n<tr><td>Rye loaf</td><td>5.20 euros</td></tr>\n"
        "<tr><td>Croissant</td><td>1.80 euros</td></tr>\n</table></body></html>\n"
    )
    assistant = Assistant.open(write_project(tmp_path, "", {"bakery.html": page}))
    assistant.build_index()
    first = assistant.ask("How much is a rye loaf?").snippets[0]
    assert first.text == "| Rye loaf | 5.20 euros |" and first.citation.label() == "bakery.html:5"
    assert first.answer is not None and first.answer.text == "5.20 euros"


ROOFS_PDF_PAGE = [
    "# Results",
    "Surface temperatures differed most between bitumen and green roofs in the afternoon.",
    "",
    "Table 2. Mean surface temperatures by roof type.",
    "",
    "| Roof type | n | Daytime\nmean (C) | Night-time\nmean (C) |",
    "| Bitumen | 16 | 44.6 | 17.9 |",
    "| Green,\nnon-irrigated | 18 | 32.2 | 16.5 |",
    "| Green, irrigated | 6 | 29.4 | 16.2 |",
    "",
    "Irrigation kept the substrate moist through both summers.",
]


def test_a_pdf_s_title_wrapped_onto_a_second_line_is_one_heading():
    """Trial 64: a paper's two-line title, "... in Lisbon: evidence" / "from a two-summer field campaign",
    was two paragraphs (the second alone reads as no heading), and the second was quoted alone."""
    text = pdf_text(make_paged_pdf([[
        "# Street trees and pedestrian heat exposure in Lisbon: evidence",
        "#> from a two-summer field campaign",
        "We measured air temperature on 48 street segments in five neighbourhoods.",
        "The hottest day of the campaign was 14 July 2022.",
    ]])).text
    assert text.startswith("Street trees and pedestrian heat exposure in Lisbon: evidence from a two-summer field campaign\n\nWe measured"), text


def test_a_pdf_table_drawn_a_cell_at_a_time_is_read_a_row_a_line():
    """A student's tables of results were read a cell a line, the rows run together ("mean (°C) Bitumen
    16 44.6 64.3 17.9 Gravel 8 ...") and the last row run into the text after it."""
    text = pdf_text(make_paged_pdf([ROOFS_PDF_PAGE])).text
    assert (
        "Table 2. Mean surface temperatures by roof type.\n\n"
        "| Roof type | n | Daytime mean (C) | Night-time mean (C) |\n"
        "| --- | --- | --- | --- |\n"  # its first row names the columns (no value there, one in every row under it)
        "| Bitumen | 16 | 44.6 | 17.9 |\n"
        "| Green, non-irrigated | 18 | 32.2 | 16.5 |\n"
        "| Green, irrigated | 6 | 29.4 | 16.2 |\n\n"
        "Irrigation kept the substrate moist" in text
    ), text
    # A table whose first row holds a value has no header: no rule is written.
    codes = ["The dryer shows a code on its display when it stops, and the table below says what each code means.", "", "| E21 | Water container full |", "| E22 | Filter blocked |"]
    plain = pdf_text(make_paged_pdf([codes])).text
    assert plain.endswith("\n\n| E21 | Water container full |\n| E22 | Filter blocked |\n"), plain
    # Lines of prose one under the other are no cells, however they line up.
    assert "Surface temperatures differed most between bitumen and green roofs in the afternoon.\nTable 2." in text


def _drawn(*pieces: tuple[int, int, str, int]) -> bytes:
    """A page of pieces of text each drawn alone at (x, y) in a size, as reportlab draws a table's cells."""
    from pdf_files import _escaped, _pdf_file

    ops = [b"BT /F1 %d Tf %d TL 1 0 0 1 %d %d Tm (%s) Tj T* ET" % (size, size + 1, x, y, _escaped(text)) for x, y, text, size in pieces]
    return _pdf_file([b"\n".join(ops)])


def test_a_pdf_table_s_cells_may_sit_at_the_bottom_of_a_row_and_its_caption_is_no_cell():
    """reportlab's tables set a row's cells at its bottom (a wrapped cell's last line); a caption drawn
    just above at the first column's place was read as the first cell's first line."""
    text = pdf_text(_drawn(
        (72, 712, "Table 1. Mean daytime temperatures.", 8),
        (72, 700, "Roof type", 8), (182, 700, "n", 8), (292, 700, "Daytime mean", 8),
        (72, 689, "Bitumen", 8), (182, 689, "16", 8), (292, 689, "44.6", 8),
        (72, 678, "Green,", 8), (72, 669, "non-irrigated", 8), (182, 669, "18", 8), (292, 669, "32.2", 8),
        (72, 658, "Gravel", 8), (182, 658, "8", 8), (292, 658, "38.1", 8),
    )).text
    assert text == (
        "Table 1. Mean daytime temperatures.\n\n| Roof type | n | Daytime mean |\n| --- | --- | --- |\n"
        "| Bitumen | 16 | 44.6 |\n| Green, non-irrigated | 18 | 32.2 |\n| Gravel | 8 | 38.1 |\n"
    ), text


def test_lines_of_prose_drawn_in_two_pieces_are_no_table():
    text = pdf_text(_drawn(
        (72, 700, "The committee met on Monday and agreed that the", 11), (330, 700, "budget", 11),
        (72, 686, "would be cut by ten per cent in the coming year, with", 11), (340, 686, "exceptions", 11),
        (72, 672, "for the schools and the hospitals of the district.", 11),
    )).text
    assert "|" not in text and "agreed that the" in text and "for the schools" in text


def test_a_pdf_s_note_marks_are_no_part_of_its_words_and_its_notes_stand_apart():
    """A student's quotes read "Biotope Area Factor1 and" and "Anna Müller1,*, Jonas Schmidt1"; the
    page's footnotes, drawn before its text, ran into each other and into the paper's title."""
    page = [
        "# Green roofs in Berlin",
        "Anna Müller^{1,*,} Jonas Schmidt^{2}",
        "",
        "Berlin has supported green roofs through its Biotope Area Factor^{1} and the 1000 Green Roofs",
        "programme, which pays up to 60% of the cost. Each roof is 50 m^{2} or larger.",
        "Its substrate holds CaCO^{3} and Ca(OH)^{2} from crushed brick.",
    ]
    notes = ["* Corresponding author: a.mueller@example.org", "1 The Biotope Area Factor sets the share of a plot that must stay green."]
    text = pdf_text(make_paged_pdf([page], notes=[notes])).text
    assert "Anna Müller, Jonas Schmidt\n" in text  # the mark's comma parts the names
    assert "through its Biotope Area Factor and the 1000 Green Roofs" in text
    assert "50 m2 or larger" in text  # a power is no note's mark, nor a formula's count
    assert "holds CaCO3 and Ca(OH)2 from" in text
    assert text.startswith("* Corresponding author: a.mueller@example.org\n\n1 The Biotope Area Factor sets the share")
    assert "must stay green.\n\nGreen roofs in Berlin\n\n" in text


def test_a_pdf_table_s_row_is_answered_under_its_columns(tmp_path):
    from assistant import Assistant

    assistant = Assistant.open(write_project(tmp_path, "", {"roofs.pdf": make_paged_pdf([ROOFS_PDF_PAGE])}))
    assistant.build_index()
    first = assistant.ask("What was the night-time mean surface temperature of irrigated green roofs?").snippets[0]
    assert first.text == "| Green, irrigated | 6 | 29.4 | 16.2 |", first.text
    assert first.passage.title.endswith("Roof type · n · Daytime mean (C) · Night-time mean (C)")
    assert first.answer is not None and first.answer.text == "16.2"


def test_comments_in_markdown_are_never_indexed_and_every_offset_stays_the_files():
    from assistant.sources.documents import extract_text

    raw = "# Deploy\n\nRun the script. <!-- The staging password is hunter2,\ndo not publish. -->\n\n```html\n<!-- a comment shown as code -->\n```\n"
    extracted, _ = extract_text("notes.md", raw.encode("utf-8"))
    assert "hunter2" not in extracted.text and "publish" not in extracted.text
    assert "<!-- a comment shown as code -->" in extracted.text  # code is what it shows
    assert len(extracted.text) == len(raw) and extracted.text.count("\n") == raw.count("\n")
    assert extracted.text.index("Run the script.") == raw.index("Run the script.")


@pytest.mark.parametrize(
    "raw",
    [
        "Start an HTML comment with `<!--` and close it later.\nThe backup drive is kept in the blue cabinet.\n",
        "- an example\n\n  ```html\n  <!-- keep this example -->\n  ```\n",
        "A comment starts <!-- and, unclosed in a line, is text.\nThe office opens at seven.\n",
    ],
)
def test_what_markdown_shows_is_never_taken_for_a_comment(raw):
    from assistant.sources.formats import markdown_text

    assert markdown_text(raw) == raw


def test_front_matter_is_never_quoted_and_a_thematic_break_is_not_front_matter():
    from assistant.sources.formats import markdown_text

    raw = "---\ntitle: Volunteer guide\nauthor: Sam Okafor\n---\n# Guide\n\nVolunteers meet at nine.\n"
    read = markdown_text(raw)
    assert "Volunteer guide" not in read and read.endswith("# Guide\n\nVolunteers meet at nine.\n") and len(read) == len(raw)
    ruled = "---\n\nA page opening with a rule.\n\n---\n\nMore text.\n"
    assert markdown_text(ruled) == ruled


def test_an_indented_closed_comment_hides_itself_alone():
    """A comment indented in a list item hid the rest of the file: the unclosed rule took it first."""
    from assistant.sources.formats import markdown_text

    raw = "# Packing list\n\n- Tent and poles\n  <!-- check the zip -->\n- Sleeping bag\n\nThe campsite warden is Moira Fenwick.\n"
    assert markdown_text(raw) == raw.replace("<!-- check the zip -->", " " * len("<!-- check the zip -->"))


def test_pdf_text_keeps_pages_apart():
    extracted = pdf_text(REPORT_PDF)
    assert extracted.page_starts[0] == 0
    second = extracted.text[extracted.page_starts[1] :]
    assert second.startswith("Storms\n")
    assert "three hundred and twelve ships" in second
    assert "three hundred" not in extracted.text[: extracted.page_starts[1]]


def _handbook_passages() -> tuple[str, list]:
    from assistant.sources.documents import Document
    from assistant.sources.passages import split_passages

    extracted = pdf_text(HANDBOOK_PDF)
    document = Document("handbook.pdf", extracted.text, "", "pdf", page_starts=extracted.page_starts)
    return extracted.text, split_passages(document, 1000)


def test_running_footers_and_page_numbers_are_no_text_of_the_pdf():
    """"Page 10 of 12" was quoted at the end of a sentence, and answered "What is on page 9?"."""
    from assistant.sources.formats import reading_of

    text = pdf_text(HANDBOOK_PDF).text
    assert "Page" not in text and "of 3" not in text
    # A page number alone is a footer too; a heading atop every page, in a larger font, is text.
    chapters = pdf_text(make_paged_pdf([[f"# Chapter {n}", f"The harbour master logged {n} ships."] for n in (1, 2, 3)], footer="{page}"))
    assert chapters.text == "".join(f"Chapter {n}\n\nThe harbour master logged {n} ships.\n\n" for n in (1, 2, 3))[:-1]
    assert chapters.page_starts == tuple(chapters.text.index(f"Chapter {n}") for n in (1, 2, 3))
    # PDFs are read another way than before (their footers left out, then their lines counted by page,
    # then their sentences cut at list items, then underlined headings, tables' names rows and numbered
    # subsections' titles, then tables drawn a cell at a time): an index of an older reading reads them again.
    assert reading_of("Report.PDF") == 8


@pytest.mark.parametrize("pages", [1, 2, 3])
def test_a_short_pdf_s_page_numbers_are_left_out_too(pages):
    """With a page or two there is nothing for a footer to repeat on: "Page 2 of 2" was quoted at the end
    of "The chair of the board is Maarten de Vries."."""
    pdf = make_paged_pdf([[f"The chair of board {n} is Maarten de Vries."] for n in range(1, pages + 1)])
    text = pdf_text(pdf).text
    assert "Page" not in text and text.count("Maarten de Vries.") == pages


def test_copies_of_one_form_keep_their_text():
    """Pages that repeat every line (copies of one letter) lose none of it as running headers."""
    letter = ["Dear member,", "The annual meeting is on 4 May at the harbour hall.", "Yours sincerely, Anna Berg"]
    text = pdf_text(make_pdf([letter, letter[:1], letter])).text
    assert text.count("The annual meeting is on 4 May") == 2 and "Dear member," in text


def test_a_sentence_over_a_page_break_is_one_quote_cited_at_the_page_it_starts_on():
    text, passages = _handbook_passages()
    (sentence,) = [s for p in passages for s in p.sentences if "Antwerp" in s.text]
    assert sentence.text == (
        "The final recommendation of the committee, adopted after a long debate in which\n"
        "several members\nargued for delay, was to close the Antwerp office by the end of 2025."
    )
    assert text[sentence.start : sentence.end] == sentence.text
    (passage,) = [p for p in passages if sentence in p.sentences]
    assert passage.page == 1 and passage.sentences[-1] == sentence
    # Every passage is cited at the page its first sentence starts on, and holds no sentence of a later page.
    starts = pdf_text(HANDBOOK_PDF).page_starts
    assert text[starts[1] :].startswith("argued for delay")
    for p in passages:
        assert all(max(n for n, at in enumerate(starts, 1) if at <= s.start) == p.page for s in p.sentences)
    assert {p.page for p in passages if "leave" in p.text.lower()} == {2}


def test_a_word_broken_at_a_line_end_reads_whole_and_a_hyphenated_one_keeps_its_hyphen():
    text = pdf_text(HANDBOOK_PDF).text
    assert "because of the introduction\nof night shifts, and the full-time\nstaff asked" in text
    assert "intro-" not in text and "fulltime" not in text


def test_a_heading_is_a_line_of_its_own_never_part_of_a_quoted_sentence():
    """"Leave Full-time employees receive…", "…before the intended start date. 3." were quoted."""
    text, passages = _handbook_passages()
    assert "\n\n2. Leave\n\n" in text and "\n\n3. Sick leave\n\n" in text
    sentences = {s.text.split("\n")[0]: p.title for p in passages for s in p.sentences}
    assert sentences["Full-time employees receive 27 days of paid annual leave per calendar year, plus the"].endswith("— 2. Leave")
    assert sentences["An employee who is ill must call their manager before nine on the first day."].endswith("— 3. Sick leave")
    assert sentences["Meals during business travel are reimbursed up to 45 euros per day, with receipts."].endswith("— 4. Expenses")
    quoted = [s.text for p in passages for s in p.sentences]
    assert not [q for q in quoted if "Leave" in q or "Expenses" in q or q.rstrip().endswith(("3.", "4."))]
    assert all(p.title.startswith("Harbour Office staff handbook") for p in passages)


def test_citation_label_names_the_page_of_a_pdf():
    citation = Citation(source="paper.pdf", start=0, end=5, line_start=12, line_end=14, passage_id="x", page=3)
    assert citation.label() == "paper.pdf:p3:12-14"
    assert citation.model_copy(update={"page": None, "line_end": 12}).label() == "paper.pdf:12"


@pytest.fixture(scope="module")
def formats_assistant(tmp_path_factory):
    from assistant import Assistant

    root = tmp_path_factory.mktemp("formats")
    config = write_project(
        root, "", {"report.pdf": REPORT_PDF, "guide.html": GUIDE_HTML, "notes.md": NOTES_MD, "handbook.pdf": HANDBOOK_PDF}
    )
    assistant = Assistant.open(config)
    report = assistant.build_index()
    assert report.files == 4 and not report.skipped
    return assistant


@pytest.mark.parametrize(
    ("question", "source", "quoted", "page"),
    [
        ("How many ships did the keeper count during the storm?", "report.pdf", "three hundred and twelve ships", 2),
        ("What was decided about the Antwerp office?", "handbook.pdf", "close the Antwerp office", 1),
        ("How many days of annual leave do full-time employees get?", "handbook.pdf", "27 days of paid annual leave", 2),
        ("How many eggs does a queen bee lay in a day?", "guide.html", "two thousand eggs", None),
        ("How were slugs kept away from the lettuce?", "notes.md", "copper tape", None),
    ],
)
def test_each_format_answers_with_a_citation_that_slices_exactly(formats_assistant, question, source, quoted, page):
    answer = formats_assistant.ask(question, k=1)
    assert not answer.abstained, answer.reason
    (snippet,) = answer.snippets
    citation = snippet.citation
    assert citation.source == source
    assert quoted in snippet.text
    text = formats_assistant.read_source(source)
    assert text[citation.start : citation.end] == snippet.text
    assert citation.page == page
    # The cited lines are the file's own: an editor opened there shows the words (HTML's markup too);
    # a PDF's are its text's, counted from the top of the cited page.
    raw_lines = (formats_assistant.config.sources_dir / source).read_bytes().decode("latin-1").splitlines()
    if source.endswith(".pdf"):
        lines = text[formats_assistant.read_source_paged(source).page_starts[page - 1] :].splitlines()
    else:
        lines = raw_lines if source.endswith(".html") else text.splitlines()
    assert quoted in " ".join(line.strip() for line in lines[citation.line_start - 1 : citation.line_end])
    if source.endswith(".pdf"):  # the viewer and the MCP get read the same lines back
        excerpt = formats_assistant.read_source_lines(source, citation.line_start, citation.line_end, page=page)
        assert excerpt.text == snippet.text and excerpt.page == page
    if page is not None:
        assert citation.label().startswith(f"{source}:p{page}:")
        assert answer.to_json_dict()["snippets"][0]["citation"]["page"] == page
    if source == "notes.md":
        # Markdown is indexed raw: the cited lines are the file's own lines.
        raw = (formats_assistant.config.sources_dir / source).read_text(encoding="utf-8")
        assert text == raw


def test_lines_of_an_html_file_are_read_back_as_the_text_they_show(formats_assistant):
    # The file has 13 lines; its last, "</body></html>", shows no text.
    assert formats_assistant.read_source_lines("guide.html", 13, 13).text == ""
    excerpt = formats_assistant.read_source_lines("guide.html", 7, 8)
    assert excerpt.text == "A healthy queen bee lays up to two thousand eggs in a single summer day."
    assert (excerpt.line_start, excerpt.line_end) == (7, 8)
    assert formats_assistant.read_source("guide.html")[excerpt.start : excerpt.end] == excerpt.text


def test_nothing_from_scripts_or_hidden_html_is_indexed(formats_assistant):
    index = formats_assistant.load_index()
    indexed = " ".join(p.text for p in index.passages)
    for hidden in ("mangoes", "wasp", "advertising", "Enable scripts", "queen bees love css"):
        assert hidden not in indexed


def test_a_sentence_over_a_page_break_is_quoted_whole(formats_assistant):
    (snippet,) = formats_assistant.ask("What was decided about the Antwerp office?", k=1).snippets
    assert snippet.text.startswith("The final recommendation of the committee")
    assert snippet.text.endswith("argued for delay, was to close the Antwerp office by the end of 2025.")
    assert snippet.citation.label() == "handbook.pdf:p1:6-8"  # the title, a blank line, two lines, a blank line
    # Page 1 has 7 lines: the quote's last, the first of page 2, is counted on from page 1's top.
    excerpt = formats_assistant.read_source_lines("handbook.pdf", 6, 8, page=1)
    assert (excerpt.text, excerpt.lines) == (snippet.text, 7)
    assert formats_assistant.read_source_lines("handbook.pdf", page=2).text.startswith("argued for delay")


def test_a_pdfs_citation_counts_its_lines_from_the_top_of_its_page(tmp_path):
    """A new user looked for line 11 of page 2 and found nothing: the lines were counted over the whole
    text, where page 2 begins at line 12. A PDF's lines are counted from the top of the cited page."""
    from assistant import Assistant
    from assistant.errors import QuestionError

    config = write_project(tmp_path, "", {LIGHTHOUSE_FILE: LIGHTHOUSE_PDF, "notes.txt": "The ferry leaves at noon.\n"})
    assistant = Assistant.open(config)
    assistant.build_index()
    answer = assistant.ask(LIGHTHOUSE_QUESTION, k=1)
    (snippet,) = answer.snippets
    citation = snippet.citation
    assert "14 March 1987" in snippet.text
    assert citation.label() == f"{LIGHTHOUSE_FILE}:p2:6-7"
    cited = answer.to_json_dict()["snippets"][0]["citation"]
    assert (cited["page"], cited["line_start"], cited["line_end"]) == (2, 6, 7)
    read = assistant.read_source_paged(LIGHTHOUSE_FILE)
    assert read.text[citation.start : citation.end] == snippet.text
    # Counted in page 2's own text, the cited lines are the quote's.
    page_two = read.text[read.page_starts[1] :]
    assert page_two.splitlines()[citation.line_start - 1 : citation.line_end] == snippet.text.splitlines()
    assert read.text[: citation.start].count("\n") + 1 == 17  # where the whole text's count put it
    # Read back as the viewer and MCP's get read it: the page's lines, the page said.
    excerpt = assistant.read_source_lines(LIGHTHOUSE_FILE, citation.line_start, citation.line_end, page=citation.page)
    assert (excerpt.text, excerpt.page, excerpt.lines, excerpt.start, excerpt.end) == (snippet.text, 2, 7, citation.start, citation.end)
    assert assistant.read_source_lines(LIGHTHOUSE_FILE).text == read.text  # no page: the whole text
    for lines, message in [
        ({"line_start": 6}, f"{LIGHTHOUSE_FILE} counts its lines from the top of each page: pass the page with them"),
        ({"page": 3}, f"{LIGHTHOUSE_FILE} has 2 pages: page 3 is past its end"),
        ({"page": 2, "line_start": 8}, f"page 2 of {LIGHTHOUSE_FILE} has 7 lines: line 8 is past its end"),
        ({"page": 1, "line_start": 10, "line_end": 19}, f"{LIGHTHOUSE_FILE} has 18 lines from the top of page 1: line 19 is past its end"),
    ]:
        with pytest.raises(QuestionError) as refused:
            assistant.read_source_lines(LIGHTHOUSE_FILE, **lines)
        assert refused.value.message.startswith(message) and "\n" not in refused.value.message
    with pytest.raises(QuestionError, match="notes.txt has no pages"):
        assistant.read_source_lines("notes.txt", 1, 1, page=1)


def test_no_running_footer_is_indexed_or_answers_for_its_page(formats_assistant):
    index = formats_assistant.load_index()
    assert not [p.text for p in index.passages if "Page" in p.text or "of 3" in p.text]
    answer = formats_assistant.ask("What is on page 2?", k=3)
    assert not [s.text for s in answer.snippets if "Page 2" in s.text]
