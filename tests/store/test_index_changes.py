"""Sources renamed, edited, added, deleted between builds: only new text is embedded, and nothing gone is cited."""

from __future__ import annotations

import json
import os

from assistant import Assistant

from cli_runner import run_cli
from pdf_files import LIGHTHOUSE_FILE, LIGHTHOUSE_PDF, LIGHTHOUSE_QUESTION
from projects import SAMPLE_FILE, edit_manifest, write_project

ALPHA = (
    "The harbour of Alderney was rebuilt after the winter floods. Stone came from the northern quarry.\n\n"
    "Fishermen moved their boats to the eastern pier while the work went on.\n"
)
BETA = (
    "The village bakery opens at six in the morning. Its rye bread sells out first.\n\n"
    "On Sundays the baker makes almond cakes for the church fair.\n"
)
GAMMA = "The zeppelin hangar at Lakehurst was painted violet in 1931, to the surprise of the crew.\n"
ORCHARD = "# Orchard\n\nThe old pear trees were grafted onto quince roots by the gardener.\n"


def test_rename_edit_add_delete_between_builds(tmp_path):
    config = write_project(
        tmp_path, "", {"alpha.txt": ALPHA, "beta.txt": BETA, "gamma.txt": GAMMA, "orchard.md": ORCHARD}
    )
    sources = config.parent / "sources"
    code, out, err = run_cli("--config", str(config), "index")
    assert code == 0, err
    assert "Files: 4 added, 0 changed, 0 removed, 0 unchanged." in out

    # Renamed and moved, content the same: nothing is embedded again, even where the title was the file name.
    (sources / "notes").mkdir()
    (sources / "alpha.txt").rename(sources / "notes" / "harbour-works.txt")
    (sources / "orchard.md").rename(sources / "notes" / "trees.md")
    code, out, err = run_cli("--config", str(config), "index")
    assert code == 0, err
    assert "(0 passages embedded, 6 reused)" in out
    assert "Files: 2 added, 0 changed, 2 removed, 2 unchanged." in out

    # Edit one paragraph of beta, delete gamma, add delta and a binary file; then just ask.
    (sources / "beta.txt").write_text(BETA.replace("almond cakes", "plum tarts"), encoding="utf-8")
    (sources / "gamma.txt").unlink()
    (sources / "delta.txt").write_text("The ferry to Sark leaves at noon when the sea is calm.\n", encoding="utf-8")
    (sources / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    os.mkfifo(sources / "pipe.txt")
    code, out, err = run_cli("--config", str(config), "ask", "--json", "What colour was the zeppelin hangar painted?")
    assert "Sources changed since the last build (3 added, 1 changed, 1 removed): updating the index." in err
    # Only beta's edited paragraph and delta's one are new; the binary file and the pipe are passed over.
    assert "(2 passages embedded, 4 reused)" in err
    assert "Files: 1 added, 1 changed, 1 removed, 2 unchanged." in err
    assert "warning: photo.txt: binary file" in err
    answer = json.loads(out)
    assert all(s["citation"]["source"] != "gamma.txt" for s in answer["snippets"])
    assert all("zeppelin" not in s["text"] for s in answer["snippets"])

    assistant = Assistant.open(config)
    index = assistant.load_index()
    assert {p.source for p in index.passages} == {"notes/harbour-works.txt", "notes/trees.md", "beta.txt", "delta.txt"}
    assert index.lexical.document_count == len(index.passages) == index.vectors.ntotal
    assert not any("almond" in p.text for p in index.passages)
    # The skipped binary file and pipe are remembered: they do not make the index look stale on every run.
    assert not assistant.changes().is_stale
    code, out, _ = run_cli("--config", str(config), "ask", "--json", "When does the ferry to Sark leave?")
    assert code == 0
    assert json.loads(out)["snippets"][0]["citation"]["source"] == "delta.txt"


def test_editing_one_of_a_hundred_files_embeds_only_its_passages(tmp_path, monkeypatch):
    from assistant.vectors.embedding import Embedder

    # Every passage the model reads, build by build: the work an update saves, counted rather than timed.
    encoded: list[str] = []
    encode = Embedder.encode_passages
    monkeypatch.setattr(
        Embedder, "encode_passages", lambda self, items: (encoded.extend(i.text for i in items), encode(self, items))[1]
    )
    sources = {
        f"notes/note-{i:03d}.txt": f"Note {i} records that crate {i} held {i * 3} apples. It left the dock on day {i % 28 + 1}.\n"
        for i in range(100)
    }
    config = write_project(tmp_path, "", sources)
    code, out, err = run_cli("--config", str(config), "index")
    assert code == 0, err
    assert "Indexed 100 files, 100 passages" in out and "(100 passages embedded, 0 reused)" in out
    assert len(encoded) == 100  # every passage once: its sentences' vectors come out of the same pass

    encoded.clear()
    edited = config.parent / "sources" / "notes" / "note-042.txt"
    edited.write_text("Note 42 records that crate 42 was lost at sea. Nobody found it.\n", encoding="utf-8")
    code, out, err = run_cli("--config", str(config), "index")
    assert code == 0, err
    assert "(1 passage embedded, 99 reused)" in out
    assert "Files: 0 added, 1 changed, 0 removed, 99 unchanged." in out
    # The edited passage (its two sentences in the same pass), nothing else.
    assert encoded == ["Note 42 records that crate 42 was lost at sea. Nobody found it."]


def test_an_edit_that_keeps_size_and_mtime_is_seen_and_updated(sample_project):
    path = sample_project.parent / "sources" / SAMPLE_FILE
    text = path.read_text(encoding="utf-8")
    kept = path.stat()
    edited = text.replace("valid for 90 days", "valid for 60 days")
    assert len(edited) == len(text)
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(kept.st_atime_ns, kept.st_mtime_ns))  # as `touch -r` or a sync tool leaves it
    assert path.stat().st_size == kept.st_size and path.stat().st_mtime_ns == kept.st_mtime_ns
    code, out, _ = run_cli("--config", str(sample_project), "status")
    assert f"changed: {SAMPLE_FILE}" in out
    code, out, err = run_cli("--config", str(sample_project), "ask", "How long is the temporary document valid?")
    assert code == 0 and "updating the index" in err
    assert "valid for 60 days" in out and "90 days" not in out


def test_a_snippet_whose_file_changed_under_an_open_index_is_not_quoted(sample_project):
    assistant = Assistant.open(sample_project)
    question = "How long is the temporary document valid?"
    assert "90 days" in assistant.ask(question).snippets[0].text
    path = sample_project.parent / "sources" / SAMPLE_FILE
    path.write_text(path.read_text(encoding="utf-8").replace("valid for 90 days", "good for 60 days"), encoding="utf-8")
    answer = assistant.ask(question)  # the same open index, not updated: as in a long chat session
    assert answer.changed_sources == (SAMPLE_FILE,)
    assert all("90 days" not in s.text for s in answer.snippets)
    text = path.read_text(encoding="utf-8")
    for snippet in answer.snippets:  # what is still shown is what the file says now, where it says it
        assert text[snippet.citation.start : snippet.citation.end] == snippet.text
    assistant.build_index()
    answer = assistant.ask(question)
    assert answer.changed_sources == () and "60 days" in answer.snippets[0].text


def test_a_deleted_source_under_an_open_index_is_not_quoted_and_says_why(sample_project):
    assistant = Assistant.open(sample_project)
    assistant.load_index()
    (sample_project.parent / "sources" / SAMPLE_FILE).unlink()
    answer = assistant.ask("How long is the temporary document valid?")
    assert answer.abstained and not answer.snippets
    assert answer.changed_sources == (SAMPLE_FILE,) and "no longer in" in answer.reason


def test_a_build_says_when_it_loads_the_model_and_an_update_of_nothing_never_does(tmp_path):
    from assistant.models import BuildStage

    config = write_project(tmp_path, "", {"alpha.txt": ALPHA, "beta.txt": BETA})
    assistant = Assistant.open(config)
    seen = []
    assistant.build_index(progress=seen.append)
    stages = [step.stage for step in seen]
    # After the files are read and before the first passage is embedded: the read bar does not stand
    # full while the model loads.
    assert stages.index(BuildStage.LOAD) > max(i for i, s in enumerate(stages) if s is BuildStage.SCAN)
    assert stages.index(BuildStage.LOAD) < stages.index(BuildStage.EMBED)
    seen.clear()
    Assistant.open(config).build_index(progress=seen.append)
    assert BuildStage.LOAD not in [step.stage for step in seen]


def test_a_source_indexed_by_an_older_reading_of_its_format_is_read_again_once(tmp_path):
    """An index built before HTML's citations counted the file's lines (and its tables were rows), or
    before Markdown's comments were left out, holds what the old reading made of them: the next update
    reads those files again (embedding only what the new reading changed), and a file of the current
    reading is left be."""
    page = "<html>\n<head><title>Pier</title></head>\n<body>\n<p>Fishermen moved their boats\nto the eastern pier.</p>\n</body></html>\n"
    config = write_project(tmp_path, "", {"pier.html": page, "alpha.txt": ALPHA, "notes.md": ORCHARD})
    assistant = Assistant.open(config)
    assistant.build_index()
    assert not assistant.changes().is_stale
    edit_manifest(config.parent / "index", lambda m: [m["sources"][name].pop("reading", None) for name in ("notes.md", "pier.html")])
    changes = assistant.changes()
    assert changes.changed == ("notes.md", "pier.html") and changes.unchanged == ("alpha.txt",)
    # Said as what it is: no edit of the user's, but this version reading them another way.
    assert changes.reread == changes.changed and changes.only_reread
    assert changes.describe() == "2 read anew by this version"
    report = assistant.build_index()
    assert report.passages_embedded == 0
    assert not assistant.changes().is_stale
    # alpha.txt says it too (which of the two ranks first is the reader's call): the page's own citation.
    answer = assistant.ask("Where did the fishermen move their boats?", k=3)
    assert [s.citation.label() for s in answer.snippets if s.citation.source == "pier.html"] == ["pier.html:4-5"]


def test_a_pdf_indexed_when_its_lines_were_counted_over_the_whole_text_is_read_again(tmp_path, monkeypatch):
    """An index built before a PDF's lines were counted from each page's top holds the whole text's
    count (page 2's lines 6-7 stored as 17-18): the next update reads the PDF again, so that no citation
    shows the old count under the new meaning; the text file is left be."""
    from assistant.sources.formats import reading_of
    from assistant.sources.lines import PageLines

    config = write_project(tmp_path, "", {LIGHTHOUSE_FILE: LIGHTHOUSE_PDF, "alpha.txt": ALPHA})
    assistant = Assistant.open(config)
    with monkeypatch.context() as old_reading:  # the old count: lines over the whole text
        old_reading.setattr(PageLines, "on_page", lambda self, line, page: line)
        assistant.build_index()
    (cited,) = [p for p in assistant.load_index().passages if "14 March 1987" in p.text]
    assert (cited.page, cited.line_end) == (2, 18)
    edit_manifest(config.parent / "index", lambda m: m["sources"][LIGHTHOUSE_FILE].update(reading=reading_of(LIGHTHOUSE_FILE) - 1))
    changes = assistant.changes()
    assert changes.changed == (LIGHTHOUSE_FILE,) and changes.unchanged == ("alpha.txt",)
    report = assistant.build_index()
    assert report.passages_embedded == 0  # the same text: only its lines changed
    # The build says it read the file anew, not that every file was unchanged.
    assert report.changes.reread == (LIGHTHOUSE_FILE,) and report.changes.unchanged == ("alpha.txt",)
    assert not assistant.changes().is_stale
    (snippet,) = assistant.ask(LIGHTHOUSE_QUESTION, k=1).snippets
    assert snippet.citation.label() == f"{LIGHTHOUSE_FILE}:p2:6-7"
