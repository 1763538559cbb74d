from odoo import fields, models


class SalePolicyDunningLevel(models.Model):
    """A collection step (催款): how late, which letter, who follows up."""

    _name = "sale.policy.dunning.level"
    _description = "Dunning Level"
    _order = "company_id, days_overdue, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    days_overdue = fields.Integer(
        required=True,
        help="Sent once an invoice of the customer is overdue by at least this many days.",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email Template",
        domain="[('model', '=', 'sale.policy.dunning.log')]",
        help="The letter sent to the customer; it lists all their overdue invoices.",
    )
    activity_salesperson = fields.Boolean(
        string="Activity for Salesperson",
        help="The salesperson of the overdue invoices gets a collection activity.",
    )
    activity_team_leader = fields.Boolean(
        string="Activity for Team Leader",
        help="The leader of the invoices' sales team gets a collection activity.",
    )
    activity_finance = fields.Boolean(string="Activity for Finance")
    finance_user_id = fields.Many2one(
        "res.users",
        string="Finance Responsible",
        check_company=True,
        help="Gets the finance activity. Empty: every finance reviewer of the company.",
    )
    raise_exception = fields.Boolean(
        string="Raise Payment-Overdue Exception",
        help="The sales orders of the overdue invoices get a 'payment overdue' exception.",
    )

    _sql_constraints = [
        (
            "days_company_uniq",
            "unique(company_id, days_overdue)",
            "Two dunning levels of a company cannot have the same number of days overdue.",
        ),
        ("days_positive", "CHECK(days_overdue > 0)", "Days overdue must be more than 0."),
    ]
