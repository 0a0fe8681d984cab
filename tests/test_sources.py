"""Messy sources: each kind of bad or odd file is handled alone, and never stops the others. No model needed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from assistant.config import load_config
from assistant.documents import UNICODE_ENCODINGS, decode_source_bytes, extract_text, read_source_text, scan_sources
from assistant.errors import SourcesError
from assistant.errors import UnreadableSourceError
from assistant.formats import html_visible_text
from assistant.passages import split_passages

from conftest import write_project

GOOD = "The harbour opened in 1888.\n\nShips came from far away to trade salt and wool.\n"


def scan(config_path: Path):
    config = load_config(config_path)
    return config, scan_sources(config.sources_dir, config.settings.sources)


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
            "sub/also-good.md": "# Title\n\nStill read after all the bad ones.\n",
        },
    )
    sources = config_path.parent / "sources"
    (sources / "leak.txt").symlink_to(outside)
    (sources / "leakdir").symlink_to(tmp_path, target_is_directory=True)
    (sources / "alias.txt").symlink_to(sources / "good.txt")
    os.mkfifo(sources / "pipe.txt")  # reading it would block the build for ever

    config, found = scan(config_path)

    assert [d.source for d in found.documents] == ["alias.txt", "good.txt", "sub/also-good.md"]
    skipped = reasons(found.skipped)
    assert set(skipped) == {"binary.txt", "empty.txt", "blank.md", "huge.txt", "leak.txt", "leakdir", "broken.pdf", "pipe.txt"}
    assert "not a regular file" in skipped["pipe.txt"]
    assert "binary" in skipped["binary.txt"]
    assert "empty" in skipped["empty.txt"] and "empty" in skipped["blank.md"]
    assert "cap" in skipped["huge.txt"] and "max_file_mb" in skipped["huge.txt"]
    assert "outside" in skipped["leak.txt"] and "outside" in skipped["leakdir"]
    assert "PDF" in skipped["broken.pdf"]
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
    config, found = scan(config_path)
    document = {d.source: d for d in found.documents}["legacy.txt"]
    assert document.text == text
    assert reasons(found.warnings) == {"legacy.txt": "not UTF-8; read as cp1252"}
    assert_offsets_true(config, document)


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
    config, found = scan(config_path)
    assert not found.skipped and not found.warnings
    (document,) = found.documents
    assert document.text == text  # the mark itself is not part of the text
    assert_offsets_true(config, document)


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
    _, found = scan(config_path)
    # A pattern without a slash matches the file name at any depth (as in .gitignore), hence docs/d.txt.
    assert [d.source for d in found.documents] == ["docs/a.md", "docs/d.txt", "docs/deep/b.md", "top.txt"]


def test_reading_a_deleted_source_is_our_error(tmp_path):
    config_path = write_project(tmp_path, "", {"good.txt": GOOD})
    with pytest.raises(SourcesError, match="gone.txt"):
        read_source_text(config_path.parent / "sources", "gone.txt")


def test_documents_carry_the_stat_taken_before_reading(tmp_path):
    config_path = write_project(tmp_path, "", {"good.txt": GOOD})
    path = config_path.parent / "sources" / "good.txt"
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    _, found = scan(config_path)
    assert found.documents[0].mtime_ns == 1_000_000_000
    assert found.documents[0].size == len(GOOD.encode())


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
        assert b"\x00" in data
        return
    assert extract_text("any.txt", data)[0].text == first.text


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/=\"' abpscriptstyle&;#\n"))))
def test_html_extraction_never_fails_on_broken_markup(markup):
    text = html_visible_text(markup)
    assert "\n\n\n" not in text
