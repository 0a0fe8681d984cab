"""PDFs the tests build byte by byte: a page a list of lines, laid out as a word processor would."""

from __future__ import annotations

import re


def _escaped(line: str) -> bytes:
    return line.encode("latin-1").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _pdf_file(streams: list[bytes]) -> bytes:
    """A minimal valid PDF of these pages' content streams, with Helvetica as /F1 and Helvetica-Bold as /F2."""
    page_ids = [5 + 2 * i for i in range(len(streams))]
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % p for p in page_ids) + b"] /Count %d >>" % len(streams),
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        4: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>",
    }
    for page_id, stream in zip(page_ids, streams):
        objects[page_id] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents %d 0 R >>" % (page_id + 1)
        )
        objects[page_id + 1] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
    out = b"%PDF-1.4\n"
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    out += b"".join(b"%010d 00000 n \n" % offsets[n] for n in range(1, size))
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return out


def make_pdf(pages: list[list[str]]) -> bytes:
    """A minimal valid PDF: one Helvetica text line per entry, one page per list."""
    return _pdf_file(
        [b"BT /F1 12 Tf 14 TL 72 720 Td " + b" ".join(b"(" + _escaped(line) + b") Tj T*" for line in lines) + b" ET" for lines in pages]
    )


def _body_line(line: str, y: int) -> bytes:
    """A line of body text (11 pt) at height ``y``, each "^{1}" in it a note's mark set small (6 pt)."""
    shown = []
    for k, part in enumerate(re.split(r"\^\{([^}]*)\}", line)):
        if part:
            shown.append(b"/F1 %d Tf (%s) Tj" % (6 if k % 2 else 11, _escaped(part)))
    return b"1 0 0 1 72 %d Tm " % y + b" ".join(shown)


def make_paged_pdf(pages: list[list[str]], footer: str = "Page {page} of {pages}", notes: list[list[str]] | None = None) -> bytes:
    """A PDF laid out as a word processor writes one: a line "# Title" is a heading (bold, 14 pt; "#> more"
    the heading wrapped onto its next line, 18 pt below), ""
    the gap between paragraphs, a line "| a | b\nc |" a table's row drawn a cell at a time (8 pt; a
    cell's lines apart by "\n"), any other line body text (11 pt, 14 pt apart; "^{1}" a note's mark
    set small); a running footer at the foot of each page (9 pt); and each page's ``notes`` (8 pt) at
    its foot above the footer, drawn before its text as reportlab draws them."""
    streams = []
    for number, lines in enumerate(pages, 1):
        ops, y = [b"BT"], 760
        for k, note in enumerate((notes or [[]] * len(pages))[number - 1]):
            ops.append(b"/F1 8 Tf 1 0 0 1 72 %d Tm (%s) Tj" % (90 - 10 * k, _escaped(note)))
        for line in lines:
            if line.startswith(("# ", "#> ")):  # "#> ": the heading above wrapped onto a second line
                y += 6 if line.startswith("#> ") else 0
                ops.append(b"/F2 14 Tf 1 0 0 1 72 %d Tm (%s) Tj" % (y, _escaped(line.partition(" ")[2])))
                y -= 24
            elif not line:
                y -= 8
            elif line.startswith("|"):  # a table's row, drawn a cell at a time as reportlab draws one
                cells = [cell.strip().split("\n") for cell in line.strip().strip("|").split("|")]
                for k, cell in enumerate(cells):
                    shown = b" ".join(b"(%s) Tj T*" % _escaped(part) for part in cell)
                    ops.append(b"ET BT /F1 8 Tf 9 TL 1 0 0 1 %d %d Tm %s ET BT" % (72 + 110 * k, y, shown))
                y -= 11 + 9 * (max(len(cell) for cell in cells) - 1)
            else:
                ops.append(_body_line(line, y))
                y -= 14
        ops += [b"/F1 9 Tf 1 0 0 1 280 40 Tm (%s) Tj" % _escaped(footer.format(page=number, pages=len(pages))), b"ET"]
        streams.append(b"\n".join(ops))
    return _pdf_file(streams)


# A PDF as a new user tried it: page 2 begins at line 12 of the whole text, and its answer (when the lamp
# was last lit) stands at lines 6-7 of page 2, a line of page 2's text each.
LIGHTHOUSE_PDF = make_paged_pdf(
    [
        [
            "# Skarholmen lighthouse",
            "The lighthouse on Skarholmen stands on a bare granite skerry at the mouth of the fjord.",
            "It was built in 1868 by the coastal administration to guide the timber ships home.",
            "",
            "The tower is eleven metres tall and is painted white with a single red band.",
            "Its keepers lived in a small stone house beside it with their families.",
            "",
            "Supplies came by rowing boat from the village of Brattvik once a fortnight.",
            "In winter the boat often could not land for weeks at a time.",
        ],
        [
            "# The last keeper",
            "The last keeper, Ingrid Halvorsen, left the island in the autumn of 1974.",
            "",
            "After she left, the lamp was run by an automatic clockwork timer.",
            "The lamp was lit for the last time on 14 March 1987, when a new beacon",
            "on the breakwater took over its work.",
        ],
    ]
)
LIGHTHOUSE_FILE = "skarholmen-lighthouse.pdf"
LIGHTHOUSE_QUESTION = "When was the Skarholmen lamp lit for the last time?"

