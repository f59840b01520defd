"""What users see: one module per answer (tables for people; CSV beside them; JSON for
scripts in `documents`).

`figures` holds the one way each figure, id and change is written; `layout` fits every
table to the terminal; `console` makes the consoles; `show` picks table, JSON or CSV.
Nothing here solves anything, and nothing outside this package builds a table. No
imports here: Rich loads only when a table is drawn.
"""
