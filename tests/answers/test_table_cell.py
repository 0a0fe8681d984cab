"""The cell of a table's row that the question names by its column is the one marked: a new user's "Who
is the secondary on call in the week of 24 March 2025?" had the primary's name marked."""

from __future__ import annotations

import pytest

from projects import built_project

ROTA = (
    "week,start_date,primary,secondary,primary_ext,secondary_ext\n"
    "10,2025-03-03,Priya Raman,Jonas Becker,4411,4427\n"
    "11,2025-03-10,Marcus Oyelaran,Aiko Tanaka,4432,4418\n"
    "12,2025-03-17,Jonas Becker,Sofia Lindqvist,4427,4405\n"
    "13,2025-03-24,Aiko Tanaka,Priya Raman,4418,4411\n"
    "14,2025-03-31,Sofia Lindqvist,Marcus Oyelaran,4405,4432\n"
)


@pytest.fixture(scope="module")
def rota(tmp_path_factory):
    return built_project(tmp_path_factory.mktemp("rota"), {"oncall-rota.csv": ROTA})


@pytest.mark.parametrize(
    "question, row, marked",
    [
        ("Who is the secondary on call in the week of 24 March 2025?", "| 13 |", "Priya Raman"),
        ("Who is the primary on call in week 11?", "| 11 |", "Marcus Oyelaran"),
        # "primary" and "primary ext" are both named: the wider name is what is asked.
        ("What is the primary extension in week 12?", "| 12 |", "4427"),
        ("What is the secondary extension in week 14?", "| 14 |", "4432"),
    ],
)
def test_the_column_the_question_names_is_the_cell_marked(rota, question, row, marked):
    assert_first_marks(rota, "oncall-rota.csv", question, row, marked)


def assert_first_marks(project, source: str, question: str, row: str, marked: str) -> None:
    """The first snippet answering ``question`` is the row opening ``row`` and marks ``marked``, a slice
    of the file."""
    first = project.ask(question).snippets[0]
    assert first.text.startswith(row) and first.is_answer
    assert first.answer is not None and first.answer.text == marked
    text = project.read_source(source)
    assert text[first.answer.start : first.answer.end] == marked


def test_a_question_naming_no_column_leaves_the_readers_mark(rota):
    from assistant.answers.table_cell import asked_cell

    answer = rota.ask("Who is on call in week 13?")  # "week" is named, but its cell is the question's own
    assert answer.snippets[0].text.startswith("| 13 |")
    assert asked_cell("Who is on call in week 13?", answer.snippets[0]) is None


PEOPLE = (
    "name,role,room,phone_extension,joined\n"
    "Amara Nwosu,Lab head,B214,4410,2014\n"
    "Hannah Becker,Lab manager,B218,4402,2016\n"
    "Tomás Rivera,Postdoctoral fellow,B220,4437,2021\n"
)


def test_a_column_asked_by_the_last_word_of_its_name_is_marked_where_none_is_named_whole(tmp_path):
    """A new user's "What is Tomás Rivera's extension?" of a column "Phone extension" marked nothing in
    the row (the reader's span was elsewhere); "extension" is the last word of one column's name only."""
    from assistant.answers.table_cell import asked_cell

    people = built_project(tmp_path, {"people.csv": PEOPLE})
    row = next(s for s in people.ask("What is Tomás Rivera's extension?").snippets if s.text.startswith("| Tomás Rivera |"))
    assert asked_cell("What is Tomás Rivera's extension?", row).text == "4437"
    assert asked_cell("Which room is Tomás Rivera in?", row).text == "B220"
    assert asked_cell("When did Tomás Rivera arrive?", row) is None  # no column's name


REAGENTS = (
    "reagent,supplier,catalogue number,location,quantity\n"
    "DAPI,Thermo Fisher,D1306,Fridge 2 shelf A,3 vials\n"
    "Paraformaldehyde 16%,Electron Microscopy Sciences,15710,Chemical cabinet C1,10 ampoules\n"
    "Triton X-100,Sigma-Aldrich,T8787,Chemical cabinet C2,500 ml\n"
    "Fetal bovine serum,Gibco,10270106,Freezer -20 B,6 bottles\n"
)


@pytest.fixture(scope="module")
def reagents(tmp_path_factory):
    return built_project(tmp_path_factory.mktemp("reagents"), {"reagents.csv": REAGENTS})


@pytest.mark.parametrize(
    "question, row, marked",
    [
        # No column is named: "where" asks for the place's column, "how many" the amount's, whole.
        ("Where is the DAPI stored?", "| DAPI |", "Fridge 2 shelf A"),
        ("Where is Triton X-100 kept?", "| Triton X-100 |", "Chemical cabinet C2"),
        ("How many bottles of fetal bovine serum are there?", "| Fetal bovine serum |", "6 bottles"),
        ("What is the catalogue number of DAPI?", "| DAPI |", "D1306"),
    ],
)
def test_a_question_asking_where_or_how_many_marks_the_column_of_that_kind(reagents, question, row, marked):
    """A new user's "where is the DAPI stored?" abstained over the reagent's row (the reader, reading
    "location: Fridge 2 shelf A", was unsure), and "Where is Triton X-100 kept?" marked the supplier."""
    assert_first_marks(reagents, "reagents.csv", question, row, marked)


def test_only_a_question_opening_with_its_kind_asks_a_column_by_kind(reagents):
    """ "What is the area of roof B4?" reads as asking for a place ("area"), but names its column; a
    "number" column is a label as often as an amount."""
    from assistant.answers.table_cell import asked_cell

    row = next(s for s in reagents.ask("Who supplies DAPI?").snippets if s.text.startswith("| DAPI |"))
    assert asked_cell("What is the location of DAPI?", row).text == "Fridge 2 shelf A"  # named
    assert asked_cell("Which place holds DAPI?", row) is None  # no column named, not opening with "where"
    assert asked_cell("How many DAPI are there?", row).text == "3 vials"  # not the catalogue number


def test_a_when_question_marks_the_date_column_not_a_date_in_another_cell(tmp_path):
    """A new user's "When did Jamie have his second MMR dose?" marked the birth date in the person's
    cell; the question names no column, and "Date given" is the one column of dates with a value."""
    vaccines = (
        "| Person | Vaccine | Date given | Next due |\n| --- | --- | --- | --- |\n"
        "| Ella (born 21 May 2016) | MMR second dose | 14 January 2021 | — |\n"
        "| Jamie (born 2 August 2019) | MMR second dose | 3 March 2023 | — |\n"
        "| Jamie | Flu nasal spray | 8 October 2024 | Autumn 2025 |\n"
    )
    project = built_project(tmp_path, {"vaccinations.md": "# Vaccinations\n\n" + vaccines})
    first = project.ask("When did Jamie have his second MMR dose?").snippets[0]
    assert first.text.startswith("| Jamie (born 2 August 2019) |")
    assert first.answer is not None and first.answer.text == "3 March 2023"


def test_a_column_asked_by_kind_holds_that_kind_and_who_asks_for_whom_the_row_is_of(tmp_path):
    """ "When did Northwind pay?" is not asked of an "Amount due" column, and "Who is Priya Raman?" is
    answered by her row, not her manager's name."""
    from assistant.answers.table_cell import asked_cell

    staff = built_project(tmp_path / "staff", {"staff.csv": "Name,Role,Office,Manager\nPriya Raman,Engineer,B2,Jonas Becker\nJonas Becker,Lead,B3,Amara Nwosu\nAiko Tanaka,Designer,B4,Jonas Becker\n"})
    row = next(s for s in staff.ask("Who is Priya Raman?").snippets if s.text.startswith("| Priya Raman |"))
    assert asked_cell("Who is Priya Raman?", row) is None
    assert asked_cell("Who manages Priya Raman?", row).text == "Jonas Becker"  # named: "manages", "Manager"
    invoices = built_project(tmp_path / "invoices", {"invoices.csv": "Invoice,Client,Amount due,Paid on\nINV-1,Northwind,£420.00,3 March 2025\nINV-2,Contoso,£90.00,9 April 2025\nINV-3,Fabrikam,£15.00,1 May 2025\n"})
    row = next(s for s in invoices.ask("When did Northwind pay?").snippets if s.text.startswith("| INV-1 |"))
    assert asked_cell("When did Northwind pay?", row) is None  # "Amount due" holds no time


def test_a_where_question_naming_its_column_marks_a_cell_of_no_name(tmp_path):
    """A new user's "Where is the repo for webhook-dispatcher?" marked the port: the repo's cell, a URL,
    holds no capitalised word, and "where" had asked for a name."""
    services = (
        "service,owner,port,language,repo\n"
        "billing-api,Priya Raman,8080,Go,github.com/tidewater/billing-api\n"
        "ledger-service,Tomás Ortega,8081,Java,github.com/tidewater/ledger\n"
        "webhook-dispatcher,Elena Sokolova,8090,Go,github.com/tidewater/webhook-dispatcher\n"
    )
    project = built_project(tmp_path, {"services.csv": services})
    assert_first_marks(project, "services.csv", "Where is the repo for webhook-dispatcher?", "| webhook-dispatcher |",
                       "github.com/tidewater/webhook-dispatcher")


def test_a_who_question_s_verb_names_the_column_of_its_doer(tmp_path):
    """A new user's "who supplies our flour" marked the supplier's contact ("contact" is a column "who"
    asks of); "supplies" names the "supplier" column, as "owns" would an "owner"."""
    suppliers = (
        "supplier,supplies,contact,phone\n"
        "Trethewey Mill,\"Flour (strong white, wholemeal, rye)\",Alan Trethewey,01326 555210\n"
        "Kernow Dairy,\"Milk, cream, butter, oat milk\",Becky Hosking,01872 555377\n"
        "Cornish Egg Co,Free-range eggs,Gary Bunt,01209 555118\n"
    )
    project = built_project(tmp_path, {"suppliers.csv": suppliers})
    for question, row, marked in (
        ("who supplies our flour", "| Trethewey Mill |", "Trethewey Mill"),
        ("Who supplies the butter?", "| Kernow Dairy |", "Kernow Dairy"),
        ("who's the contact at Kernow Dairy?", "| Kernow Dairy |", "Becky Hosking"),
    ):
        assert_first_marks(project, "suppliers.csv", question, row, marked)


def test_a_column_named_with_its_unit_and_the_first_of_two_named(tmp_path):
    """Trial 64's "mean LST in the greenest quintile" marked the quintile, "Q5 (highest)": "Mean LST (°C)"
    was not named (its unit is no word of the question), and of two columns named, what the question
    asks for comes before the row it picks."""
    from assistant.answers.table_cell import asked_cell

    quintiles = (
        "Quintile,Neighbourhoods,Mean canopy cover (%),Mean LST (°C)\n"
        "Q1 (lowest),19,6,38.9\nQ2,19,12,37.7\nQ3,20,19,36.8\nQ4,19,27,35.9\nQ5 (highest),19,41,34.6\n"
    )
    berlin = built_project(tmp_path, {"berlin_quintiles.csv": quintiles})
    rows = {s.text.split("|")[1].strip(): s for q in ("mean LST of Q5", "mean LST of Q1") for s in berlin.ask(q).snippets}
    assert asked_cell("mean LST in the greenest quintile", rows["Q5 (highest)"]).text == "34.6"
    assert asked_cell("what was the mean canopy cover (%) of Q5?", rows["Q5 (highest)"]).text == "41"
    assert asked_cell("which quintile has the highest mean LST", rows["Q1 (lowest)"]).text == "Q1 (lowest)"
    # Said in another order (a review's cases): what follows the question word, else not the rows' names.
    assert asked_cell("In the greenest quintile, what is the mean LST?", rows["Q5 (highest)"]).text == "34.6"
    assert asked_cell("For the top quintile what's the mean LST", rows["Q5 (highest)"]).text == "34.6"
