"""Messy sources: each kind of bad or odd file is handled alone, and never stops the others. No model needed."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from assistant.config import load_config
from assistant.errors import SourcesError
from assistant.errors import UnreadableSourceError
from assistant.sources.decoding import UNICODE_ENCODINGS, binary_reason, decode_source_bytes
from assistant.sources.documents import extract_text, read_source_text, scan_sources
from assistant.sources.formats import html_text
from assistant.sources.passages import split_passages

from projects import write_project

GOOD = "The harbour opened in 1888.\n\nShips came from far away to trade salt and wool.\n"


def scan(config_path: Path):
    config = load_config(config_path)
    found = scan_sources(config.sources_dir, config.settings.sources)
    return config, found, list(found.documents())  # the notes are complete once every document is read


def reasons(found) -> dict[str, str]:
    return {note.source: note.reason for note in found}


def assert_offsets_true(config, document) -> None:
    """Every passage and sentence slices the text ``read_source_text`` gives back, exactly."""
    text = read_source_text(config.sources_dir, document.source)
    assert text == document.text
    passages = split_passages(document, 1200)
    assert passages
    for passage in passages:
        assert text[passage.start : passage.end] == passage.text
        for sentence in passage.sentences:
            assert text[sentence.start : sentence.end] == sentence.text


def test_bad_files_are_skipped_with_a_reason_and_the_good_ones_read(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("A secret outside the sources folder.\n", encoding="utf-8")
    config_path = write_project(
        tmp_path / "p",
        "[sources]\nmax_file_mb = 0.001\n",
        {
            "good.txt": GOOD,
            "binary.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
            "empty.txt": b"",
            "blank.md": "  \n\n\t\n",
            "huge.txt": "word " * 400,
            ".hidden.txt": "hidden file\n",
            ".cache/inside.txt": "in a hidden folder\n",
            "notes.log": "not an included pattern\n",
            "broken.pdf": b"%PDF-1.4\nthis is not really a pdf\n",
            "notes.pdf": "Meeting notes saved under the wrong name.\n",
            "sub/also-good.md": "# Title\n\nStill read after all the bad ones.\n",
        },
    )
    sources = config_path.parent / "sources"
    (sources / "leak.txt").symlink_to(outside)
    (sources / "leakdir").symlink_to(tmp_path, target_is_directory=True)
    (sources / "alias.txt").symlink_to(sources / "good.txt")
    os.mkfifo(sources / "pipe.txt")  # reading it would block the build for ever

    config, found, documents = scan(config_path)

    assert [d.source for d in documents] == ["good.txt", "sub/also-good.md"]
    skipped = reasons(found.skipped)
    assert set(skipped) == {"alias.txt", "binary.txt", "empty.txt", "blank.md", "huge.txt", "leak.txt", "leakdir", "broken.pdf", "notes.pdf", "pipe.txt"}
    assert "the same file as good.txt" in skipped["alias.txt"]  # read once, at its own path
    assert "not a regular file" in skipped["pipe.txt"]
    assert "binary" in skipped["binary.txt"]
    assert "empty" in skipped["empty.txt"] and "empty" in skipped["blank.md"]
    assert "cap" in skipped["huge.txt"] and "max_file_mb" in skipped["huge.txt"]
    assert "outside" in skipped["leak.txt"] and "outside" in skipped["leakdir"]
    assert "damaged PDF" in skipped["broken.pdf"]
    assert skipped["notes.pdf"] == "not a PDF (its name ends in .pdf but it does not begin as one)"
    assert not found.warnings
    # Skipped files are stamped, so that the next status does not call them new (see test_index_changes).
    assert {"binary.txt", "empty.txt", "huge.txt", "broken.pdf", "pipe.txt"} <= set(found.stamps)
    assert "leak.txt" not in found.stamps


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Café crème brûlée – a naïve “façade”.\n\nThe garçon said: déjà vu. Übermäßig!\n", "cp1252"),
        ("Grüße aus München.\n\nDie Straße ist schön, sagte Jürgen.\n", "latin-1"),
    ],
)
def test_western_legacy_encodings_decode_right_with_a_warning(tmp_path, text, encoding):
    config_path = write_project(tmp_path, "", {"legacy.txt": text.encode(encoding), "good.txt": GOOD})
    config, found, documents = scan(config_path)
    document = {d.source: d for d in documents}["legacy.txt"]
    assert document.text == text
    assert reasons(found.warnings) == {"legacy.txt": "not UTF-8; read as cp1252"}
    assert_offsets_true(config, document)


def test_a_page_read_in_the_encoding_it_declares_is_no_warning(tmp_path):
    """A new user's saved page declared windows-1252 and was read right, yet was "not UTF-8" at every
    build (a page labelled Latin-1 is read as windows-1252, as a browser reads it); a page that declares
    nothing, or declares wrong, is still warned of."""
    body = "<p>Every August somebody writes: “My sedum roof has gone red – is it dead?”</p>"
    declared = f'<html><head><meta charset="windows-1252"></head><body>{body}</body></html>'
    older = f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"></head><body>{body}</body></html>'
    wrong = f'<html><head><meta charset="utf-8"></head><body>{body}</body></html>'
    config_path = write_project(tmp_path, "", {
        "declared.html": declared.encode("cp1252"), "older.html": older.encode("cp1252"),
        "silent.html": f"<p>{body}</p>".encode("cp1252"), "wrong.html": wrong.encode("cp1252"),
    })
    config, found, documents = scan(config_path)
    read = {d.source: d for d in documents}
    assert all("“My sedum roof has gone red – is it dead?”" in read[name].text for name in read)
    assert reasons(found.warnings) == {"silent.html": "not UTF-8; read as cp1252", "wrong.html": "not UTF-8; read as cp1252"}
    for document in documents:
        assert_offsets_true(config, document)


def test_random_bytes_without_a_nul_are_binary_not_latin_1_garbage(tmp_path):
    """Compressed or random data with no NUL byte would decode as some legacy encoding into garbage
    passages; its control bytes tell it from text, as a text with a form feed or an escape code is not."""
    noise = bytes(b for b in random.Random(7).randbytes(4000) if b)
    text = "A log line\x1b[1m in bold\x1b[0m.\n\x0cNext page.\tTabbed.\r\n" * 40
    config_path = write_project(tmp_path, "", {"noise.txt": noise, "log.txt": text.encode(), "good.txt": GOOD})
    _config, found, documents = scan(config_path)
    assert reasons(found.skipped)["noise.txt"].startswith("binary file (") and "control bytes" in reasons(found.skipped)["noise.txt"]
    assert {d.source for d in documents} == {"log.txt", "good.txt"}


def test_cyrillic_legacy_encoding_is_detected():
    text = "Привет, как дела? Это тестовый текст на русском языке, и он довольно длинный.\n"
    decoded, encoding = decode_source_bytes(text.encode("cp1251"))
    assert decoded == text
    assert encoding == "cp1251"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
def test_unicode_with_a_byte_order_mark_is_text_not_binary(tmp_path, encoding):
    text = "Ünïcödé text with a mark – “quoted”.\n\nSecond paragraph: 42 ships.\n"
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data  # Python writes no mark for an explicit byte order
    config_path = write_project(tmp_path, "", {"marked.txt": data})
    config, found, documents = scan(config_path)
    assert not found.skipped and not found.warnings
    (document,) = documents
    assert document.text == text  # the mark itself is not part of the text
    assert_offsets_true(config, document)


def test_the_scan_reads_each_file_when_its_turn_comes(tmp_path):
    """A folder of any size is never read whole: one document at a time, its notes recorded as it goes."""
    config = load_config(write_project(tmp_path, "", {"a.txt": GOOD, "b.txt": GOOD}))
    found = scan_sources(config.sources_dir, config.settings.sources)
    documents = found.documents()
    assert next(documents).source == "a.txt"
    assert list(found.encodings) == ["a.txt"]
    (config.sources_dir / "b.txt").write_text("Written after a.txt was read.\n", encoding="utf-8")
    assert next(documents).text == "Written after a.txt was read.\n"
    assert list(found.encodings) == ["a.txt", "b.txt"] and set(found.stamps) == {"a.txt", "b.txt"}


def test_include_and_exclude_globs(tmp_path):
    config_path = write_project(
        tmp_path,
        '[sources]\ninclude = ["docs/**/*.md", "*.txt"]\nexclude = ["**/drafts/**", "secret-*"]\n',
        {
            "top.txt": GOOD,
            "secret-plan.txt": GOOD,
            "docs/a.md": GOOD,
            "docs/deep/b.md": GOOD,
            "docs/drafts/c.md": GOOD,
            "docs/d.txt": GOOD,
            "other/e.md": GOOD,
        },
    )
    _, found, documents = scan(config_path)
    # A pattern without a slash matches the file name at any depth (as in .gitignore), hence docs/d.txt.
    assert [d.source for d in documents] == ["docs/a.md", "docs/d.txt", "docs/deep/b.md", "top.txt"]


    # What no include pattern takes is named (not what an exclude pattern leaves out, nor a hidden file).
    assert list(found.not_included) == ["other/e.md"]


def test_files_named_without_a_type_are_read_as_text_and_other_types_are_named_as_not_read(tmp_path):
    """A licence folder's "LICENSE", "GPL-3" and "LGPL-2.1" were passed over without a word: files named
    without a type (a suffix of digits is a version) are read where they are text; a type no include
    pattern names is told, not read."""
    config_path = write_project(
        tmp_path,
        "",
        {
            "LICENSE": "Permission is hereby granted, free of charge, to any person obtaining a copy.\n",
            "licences/LGPL-2.1": "This library is free software; you can redistribute it.\n",
            "licences/Apache-2.0": "Licensed under the Apache License, Version 2.0.\n",
            "v1.2/NOTES": "Released in the spring.\n",
            "tool": b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)),
            "data.xlsx": "PK\x03\x04",
            "logo.png": b"\x89PNG\r\n\x1a\n",
            ".env": "SECRET=1\n",
            "good.txt": GOOD,
        },
    )
    _, found, documents = scan(config_path)
    assert [d.source for d in documents] == ["LICENSE", "good.txt", "licences/Apache-2.0", "licences/LGPL-2.1", "v1.2/NOTES"]
    assert "binary" in reasons(found.skipped)["tool"]
    assert list(found.not_included) == ["data.xlsx", "logo.png"]


def test_reading_a_deleted_source_is_our_error(tmp_path):
    config_path = write_project(tmp_path, "", {"good.txt": GOOD})
    with pytest.raises(SourcesError, match="gone.txt"):
        read_source_text(config_path.parent / "sources", "gone.txt")


def test_documents_carry_the_stat_taken_before_reading(tmp_path):
    config_path = write_project(tmp_path, "", {"good.txt": GOOD})
    path = config_path.parent / "sources" / "good.txt"
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    _, found, documents = scan(config_path)
    assert documents[0].stamp.mtime_ns == 1_000_000_000
    assert documents[0].stamp.size == len(GOOD.encode())


@settings(max_examples=200, deadline=None)
@given(st.text(), st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32"]))
def test_any_unicode_text_decodes_back_exactly(text, encoding):
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return  # lone surrogates are not text a file can hold
    if text.startswith("\ufeff") and encoding == "utf-8":
        return  # a text that itself starts with U+FEFF is indistinguishable from a marked one
    if text.startswith("\x00") and encoding == "utf-16":
        return  # the UTF-16-LE mark and a NUL are the UTF-32-LE mark: no text file starts so
    decoded, used = decode_source_bytes(data)
    assert decoded == text
    assert used in UNICODE_ENCODINGS


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_either_decode_the_same_way_twice_or_are_binary(data):
    try:
        first, _ = extract_text("any.txt", data)
    except UnreadableSourceError:
        assert binary_reason(data) is not None
        return
    assert extract_text("any.txt", data)[0].text == first.text


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/=\"' abpscriptstyle&;#\n"))))
def test_html_extraction_never_fails_on_broken_markup(markup):
    text = html_text(markup).text
    assert "\n\n\n" not in text


def test_links_that_loop_or_lead_nowhere_are_notes_not_crashes(tmp_path):
    config_path = write_project(tmp_path, "", {"good.txt": GOOD, "sub/real.md": "# Real\n\nRead once, at its own path.\n"})
    sources = config_path.parent / "sources"
    (sources / "a.txt").symlink_to(sources / "b.txt")
    (sources / "b.txt").symlink_to(sources / "a.txt")
    (sources / "self.txt").symlink_to(sources / "self.txt")
    (sources / "gone.txt").symlink_to(sources / "never-there.txt")
    (sources / "loopdir").symlink_to(sources / "loopdir", target_is_directory=True)
    (sources / "round").symlink_to(sources, target_is_directory=True)  # a folder link back up the tree
    os.link(sources / "sub" / "real.md", sources / "sub" / "the-hard-copy.md")  # two names, neither a link: the first wins
    (sources / "sub" / "soft-copy.md").symlink_to(sources / "sub" / "real.md")

    _, found, documents = scan(config_path)

    assert [d.source for d in documents] == ["good.txt", "sub/real.md"]
    skipped = reasons(found.skipped)
    assert "symlink loop" in skipped["a.txt"] and "symlink loop" in skipped["b.txt"] and "symlink loop" in skipped["self.txt"]
    assert "dangling symlink" in skipped["gone.txt"]
    assert "the same file as sub/real.md" in skipped["sub/the-hard-copy.md"]
    assert "the same file as sub/real.md" in skipped["sub/soft-copy.md"]
    assert "round" not in skipped  # leads inside: its files are read at their own paths


def test_the_commands_work_on_a_tree_with_a_symlink_loop(tmp_path):
    from cli_runner import run_cli

    config_path = write_project(tmp_path, "", {"good.txt": GOOD})
    sources = config_path.parent / "sources"
    (sources / "a.txt").symlink_to(sources / "b.txt")
    (sources / "b.txt").symlink_to(sources / "a.txt")
    code, out, err = run_cli("--config", str(config_path), "index")
    assert code == 0, err
    assert "warning: a.txt: symlink loop" in err and "warning: b.txt: symlink loop" in err
    code, out, err = run_cli("--config", str(config_path), "status")
    assert code == 0 and "no, up to date" in out, err
    code, out, err = run_cli("--config", str(config_path), "ask", "When did the harbour open?")
    assert code == 0 and "good.txt:1" in out and "Traceback" not in err


UNREADABLE_SCAN = """
import json, os, sys
from pathlib import Path
from assistant.config import SourcesSettings
from assistant.sources.documents import scan_sources
if os.getuid() == 0:  # root reads every folder: scan as nobody, as a user would (imports done first)
    os.setgid(65534)
    os.setuid(65534)
scan = scan_sources(Path(sys.argv[1]), SourcesSettings())
documents = [d.source for d in scan.documents()]
print(json.dumps({"documents": documents, "skipped": {n.source: n.reason for n in scan.skipped}}))
"""


def test_a_folder_that_cannot_be_read_is_a_warning():
    import json
    import shutil
    import subprocess
    import sys
    import tempfile

    # Outside pytest's own temporary folders, which only their owner may enter.
    root = Path(tempfile.mkdtemp(prefix="assistant-unreadable-"))
    try:
        root.chmod(0o755)
        config_path = write_project(root, "", {"good.txt": GOOD, "locked/secret.txt": GOOD})
        sources = config_path.parent / "sources"
        (sources / "locked").chmod(0o000)
        done = subprocess.run([sys.executable, "-c", UNREADABLE_SCAN, str(sources)], capture_output=True, text=True, cwd="/")
        (sources / "locked").chmod(0o755)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["documents"] == ["good.txt"]
    assert "cannot read this folder" in result["skipped"]["locked/"]


def test_a_damaged_pdf_s_complaints_become_one_warning_not_stderr(tmp_path, capfd):
    from test_formats import make_pdf

    data = make_pdf([["The keeper counted three hundred and twelve ships passing the cape."]])
    damaged = data[: data.rindex(b"startxref\n")] + b"startxref\n99\n%%EOF\n"  # pypdf repairs, and says so
    config_path = write_project(tmp_path, "", {"report.pdf": damaged})
    _, found, documents = scan(config_path)
    assert [d.source for d in documents] == ["report.pdf"]
    assert "PDF read with repairs" in reasons(found.warnings)["report.pdf"]
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""
