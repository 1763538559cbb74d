"""Shared XLSX layer of the policy workbooks.

A sheet is a list of `Column` specs: each names its header, where its value comes from (an
SQL expression of the sheet's query, or the key of a dict row), its cell format and width.
The same specs build the SELECT and write the cells, so a column is declared once.
`PolicyXlsx` creates the cell formats once per workbook and writes sheets from specs and
rows; rows stream from the cursor, so `constant_memory` workbooks stay flat in memory."""

from collections.abc import Callable
from typing import Any, NamedTuple

import pytz

from odoo.tools import SQL

# Rows fetched from PostgreSQL per round trip while streaming a sheet.
FETCH_BATCH = 2000

NUMBER_FORMATS = {
    "int": "0",
    "float": "#,##0.00",
    "hours": "0.0",
    "days": "0.0",
    "money": "#,##0.00",
    "percent": "0.0%",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}


class Column(NamedTuple):
    """One column of a sheet: header, source (SQL expression or dict key), format name
    (`text` or a key of NUMBER_FORMATS), width, and an optional raw value → cell value.
    A `text` cell must be a string (names from SQL, labels from `convert`)."""

    label: str
    source: Any
    fmt: str = "text"
    width: int = 12
    convert: Callable | None = None


class PolicyXlsx:
    """Cell formats of one workbook and the writing of sheets from column specs."""

    def __init__(self, env, workbook):
        self.env = env
        self.workbook = workbook
        self.tz = pytz.timezone(env.context.get("tz") or env.user.tz or "UTC")
        self.yes, self.no = env._("Yes"), env._("No")
        self.title_format = workbook.add_format({"bold": True, "font_size": 14})
        self.header_format = workbook.add_format(
            {
                "bold": True,
                "bg_color": "#DDEBF7",
                "border": 1,
                "text_wrap": True,
                "valign": "vcenter",
            }
        )
        self.formats = {"text": None}
        self.total_formats = {"text": workbook.add_format({"bold": True})}
        for name, num_format in NUMBER_FORMATS.items():
            self.formats[name] = workbook.add_format({"num_format": num_format})
            self.total_formats[name] = workbook.add_format({"num_format": num_format, "bold": True})

    # ------------------------------------------------------------------
    # Values
    # ------------------------------------------------------------------

    def local(self, column):
        """SQL of a UTC timestamp in the user's timezone (naive, as Excel wants)."""
        return SQL("(%s AT TIME ZONE 'UTC' AT TIME ZONE %s)", column, self.tz.zone)

    def yes_no(self, value):
        """Yes / No of a flag; None (not applicable) stays empty."""
        if value is None:
            return None
        return self.yes if value else self.no

    def selection(self, model, field):
        """Labels of a selection field in the environment's language."""
        return dict(self.env[model]._fields[field]._description_selection(self.env)).get

    @staticmethod
    def select(columns):
        """The SELECT list of the columns whose source is an SQL expression."""
        return SQL(", ").join(column.source for column in columns)

    def stream(self, query):
        """Execute `query` and yield its rows in batches (one query, no per-row reads)."""
        cr = self.env.cr
        cr.execute(query)
        while rows := cr.fetchmany(FETCH_BATCH):
            yield from rows

    # ------------------------------------------------------------------
    # Sheets
    # ------------------------------------------------------------------

    @staticmethod
    def _text_width(text):
        # CJK characters take two columns.
        return sum(2 if ord(char) > 0x2E80 else 1 for char in str(text))

    def write_sheet(self, name, columns, rows, title=None, header_row=None):
        """Add a sheet: optional title, header row, then `rows` (tuples in column order or
        dicts keyed by the columns' sources). Return (sheet, index of the next free row)."""
        sheet = self.workbook.add_worksheet(name)
        if title:
            sheet.write_string(0, 0, title, self.title_format)
        if header_row is None:
            header_row = 1 if title else 0
        for col, column in enumerate(columns):
            width = max(column.width, min(self._text_width(column.label) + 2, 40))
            sheet.set_column(col, col, width)
            sheet.write_string(header_row, col, column.label, self.header_format)
        sheet.set_row(header_row, 30)
        sheet.freeze_panes(header_row + 1, 0)
        write = self._row_writer(sheet, columns, self.formats)
        row = header_row + 1
        for values in rows:
            write(row, values)
            row += 1
        sheet.autofilter(header_row, 0, max(row - 1, header_row), len(columns) - 1)
        return sheet, row

    def write_query_sheet(self, name, columns, from_clause, **kwargs):
        """A sheet streamed from ``SELECT <the columns' sources> <from_clause>``."""
        query = SQL("SELECT %s %s", self.select(columns), from_clause)
        return self.write_sheet(name, columns, self.stream(query), **kwargs)

    def write_total(self, sheet, row, columns, values):
        """A bold total row (a dict keyed by the columns' sources)."""
        self._row_writer(sheet, columns, self.total_formats)(row, values)

    def _row_writer(self, sheet, columns, formats):
        """Write one row: the cell method, format and source of each column bound once."""
        methods = {"text": sheet.write_string, "datetime": sheet.write_datetime}
        methods["date"] = sheet.write_datetime
        cells = [
            (col, methods.get(column.fmt, sheet.write_number), formats[column.fmt], column.convert)
            for col, column in enumerate(columns)
        ]
        sources = [column.source for column in columns]

        def write(row, values):
            if isinstance(values, dict):
                values = [values[source] for source in sources]
            for (col, method, cell_format, convert), value in zip(cells, values, strict=True):
                if convert:
                    value = convert(value)
                if value is not None and value is not False:
                    method(row, col, value, cell_format)

        return write
