"""Candidates to and from spreadsheets: `defplan import` and `defplan export`
(docs/spreadsheets.md).

  layout     the columns of the `candidates` sheet and what each one holds
  cells      one cell's value read as a number, a year, an id list... or a problem
  books      workbooks (.xlsx, openpyxl, an optional extra) and CSV files as rows
  reading    rows -> a portfolio document, and where each part of it came from
  writing    a portfolio -> rows (the `candidates` and `file` sheets)
  yamltext   a document -> readable portfolio YAML, and which node is where in it
  importing  the two commands' work: a book -> a validated portfolio file, and back

openpyxl is imported only where a workbook is read or written: the base install reads
and writes CSV with the standard library alone.
"""

from defplan.sheets.importing import Base, export_portfolio, import_portfolio

__all__ = ["Base", "export_portfolio", "import_portfolio"]
