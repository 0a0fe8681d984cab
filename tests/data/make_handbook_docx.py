"""Writes tests/data/handbook.docx with python-docx 1.2.0 (its default template is a document Word wrote):
``python make_handbook_docx.py handbook.docx`` in an environment with python-docx (not a dependency of
the assistant: the file is committed, the script says how it was made)."""
import sys
from docx import Document
d = Document()
d.add_heading("Staff Handbook: Leave", level=0)
d.add_paragraph("This policy applies to every employee of Brightwater Ltd from 1 January 2025.")
d.add_heading("Annual leave", level=1)
p = d.add_paragraph("Full-time UK employees receive ")
p.add_run("25 days").bold = True
p.add_run(" of annual leave per year, plus bank holidays. Up to 5 unused days may be carried over to the next year.")
d.add_heading("How to book leave", level=2)
for step in ["Check the team calendar for clashes.", "Ask your manager in the HR portal at least two weeks ahead.", "Wait for approval before booking travel."]:
    d.add_paragraph(step, style="List Number")
d.add_paragraph("Bring a doctor's note after seven days of sickness.", style="List Bullet")
d.add_heading("Entitlements", level=1)
t = d.add_table(rows=1, cols=3)
t.style = "Table Grid"
hdr = t.rows[0].cells
hdr[0].text, hdr[1].text, hdr[2].text = "Leave type", "UK entitlement", "US entitlement"
for row in [("Annual leave", "25 days", "15 days"), ("Sick leave", "10 days", "6 days"), ("Study leave", "5 days per exam", "Not offered")]:
    cells = t.add_row().cells
    for c, v in zip(cells, row):
        c.text = v
p = d.add_paragraph("Questions go to Priya Nair in Operations.")
p.add_run().add_break()
p.add_run("Phone: 0161 555 0199")
d.save(sys.argv[1])
