from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    sale_policy_statement_auto = fields.Boolean(
        string="Monthly Statements of Account",
        help="On the first day of each month, issue a statement of account (对账单) of the "
        "previous month to every customer with receivable activity and e-mail it.",
    )
