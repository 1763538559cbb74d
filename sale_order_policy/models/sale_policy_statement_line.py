from odoo import api, fields, models
from odoo.exceptions import UserError

LINE_KINDS = [
    ("invoice", "Invoice"),
    ("refund", "Credit Note"),
    ("payment", "Payment"),
    ("other", "Other Entry"),
]


class SalePolicyStatementLine(models.Model):
    """One document of a statement of account (对账单): frozen with its statement."""

    _name = "sale.policy.statement.line"
    _description = "Statement of Account Line"
    _order = "statement_id, sequence, id"

    statement_id = fields.Many2one(
        "sale.policy.statement", required=True, index=True, ondelete="cascade"
    )
    # Stored as given when the statement is issued (not related): thousands of lines are
    # created at once and their amounts are rounded in this currency.
    company_id = fields.Many2one("res.company", required=True, index=True)
    currency_id = fields.Many2one("res.currency", required=True)
    sequence = fields.Integer(default=10)
    date = fields.Date(required=True)
    kind = fields.Selection(LINE_KINDS, string="Type", required=True)
    move_id = fields.Many2one("account.move", string="Journal Entry", ondelete="set null")
    document = fields.Char(required=True)
    description = fields.Char(string="Reference")
    order_refs = fields.Char(string="Sales Orders")
    date_due = fields.Date(string="Due Date")
    debit = fields.Monetary()
    credit = fields.Monetary()
    balance = fields.Monetary(help="Running balance after this document.")

    @api.model_create_multi
    def create(self, vals_list):
        statements = self.env["sale.policy.statement"].browse(
            [vals["statement_id"] for vals in vals_list if vals.get("statement_id")]
        )
        statements._policy_check_draft()
        return super().create(vals_list)

    def write(self, vals):
        self.statement_id._policy_check_draft()
        if "statement_id" in vals:
            raise UserError(self.env._("A statement line cannot move to another statement."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_issued(self):
        # The cascade of a draft statement's deletion is the only way a line goes.
        self.statement_id.filtered(lambda s: s.state != "draft")._policy_check_draft()
