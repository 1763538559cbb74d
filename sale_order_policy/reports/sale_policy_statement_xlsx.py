import io

import xlsxwriter

from odoo import api, models
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

# The lines sheet, one spec per column: (label, line field, cell format, width).
LINE_COLUMNS = [
    (_lt("Date"), "date", "date", 12),
    (_lt("Type"), "kind", "selection", 12),
    (_lt("Document"), "document", "text", 20),
    (_lt("Reference"), "description", "text", 20),
    (_lt("Sales Orders"), "order_refs", "text", 20),
    (_lt("Due Date"), "date_due", "date", 12),
    (_lt("Debit"), "debit", "money", 14),
    (_lt("Credit"), "credit", "money", 14),
    (_lt("Balance"), "balance", "money", 14),
]
# The summary block under the lines: (label, statement field).
SUMMARY_ROWS = [
    (_lt("Opening Balance"), "opening_balance"),
    (_lt("Invoiced"), "total_invoiced"),
    (_lt("Credit Notes"), "total_refunded"),
    (_lt("Payments"), "total_paid"),
    (_lt("Other Entries"), "total_other"),
    (_lt("Closing Balance"), "closing_balance"),
]


class SalePolicyStatementXlsx(models.AbstractModel):
    """A statement of account (对账单) as a workbook: header, lines, totals and aging."""

    _name = "sale.policy.statement.xlsx"
    _description = "Statement of Account Workbook"

    @api.model
    def _policy_generate(self, statement):
        """Return the workbook (bytes) of `statement` in the language of the environment."""
        statement.ensure_one()
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"in_memory": True})
        formats = self._formats(workbook)
        sheet = workbook.add_worksheet(statement.name.replace("/", "-"))
        row = self._write_header(sheet, formats, statement)
        row = self._write_lines(sheet, formats, statement, row + 1)
        row = self._write_pairs(sheet, formats, row + 1, self._summary_pairs(statement))
        self._write_pairs(sheet, formats, row + 1, statement._policy_aging_rows())
        workbook.close()
        return output.getvalue()

    def _formats(self, workbook):
        return {
            "title": workbook.add_format({"bold": True, "font_size": 16}),
            "label": workbook.add_format({"bold": True}),
            "header": workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1}),
            "text": workbook.add_format({"border": 1}),
            "selection": workbook.add_format({"border": 1}),
            "date": workbook.add_format({"num_format": "yyyy-mm-dd", "border": 1}),
            "money": workbook.add_format({"num_format": "#,##0.00", "border": 1}),
            "total": workbook.add_format({"num_format": "#,##0.00", "bold": True}),
        }

    def _write_header(self, sheet, formats, statement):
        _ = self.env._
        sheet.write_string(0, 0, _("Statement of Account"), formats["title"])
        pairs = [
            (_("Number"), statement.name),
            (_("Company"), statement.company_id.name),
            (_("Customer"), statement.partner_id.display_name),
            (_("Period"), f"{statement.date_from} ~ {statement.date_to}"),
            (_("Currency"), statement.currency_id.name),
        ]
        for row, (label, value) in enumerate(pairs, start=2):
            sheet.write_string(row, 0, label, formats["label"])
            sheet.write_string(row, 1, value or "")
        return 2 + len(pairs)

    def _write_lines(self, sheet, formats, statement, row):
        Line = self.env["sale.policy.statement.line"]
        kinds = dict(Line._fields["kind"]._description_selection(self.env))
        for col, (label, _fname, _kind, width) in enumerate(LINE_COLUMNS):
            sheet.set_column(col, col, width)
            sheet.write_string(row, col, label._translate(self.env.lang), formats["header"])
        first = row + 1
        for row, line in enumerate(statement.line_ids, start=first):
            for col, (_label, fname, kind, _width) in enumerate(LINE_COLUMNS):
                value = line[fname]
                if kind == "money":
                    sheet.write_number(row, col, value, formats[kind])
                elif kind == "date":
                    if value:
                        sheet.write_datetime(row, col, value, formats[kind])
                elif kind == "selection":
                    sheet.write_string(row, col, kinds.get(value, ""), formats[kind])
                else:
                    sheet.write_string(row, col, value or "", formats[kind])
        last = first + len(statement.line_ids)
        if statement.line_ids:
            sheet.autofilter(first - 1, 0, last - 1, len(LINE_COLUMNS) - 1)
        return last

    def _summary_pairs(self, statement):
        lang = self.env.lang
        return [(label._translate(lang), statement[fname]) for label, fname in SUMMARY_ROWS]

    def _write_pairs(self, sheet, formats, first, pairs):
        for row, (label, amount) in enumerate(pairs, start=first):
            sheet.write_string(row, 0, label, formats["label"])
            sheet.write_number(row, 1, amount, formats["total"])
        return first + len(pairs)
