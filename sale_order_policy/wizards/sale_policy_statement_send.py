from odoo import fields, models


class SalePolicyStatementSend(models.TransientModel):
    """Issue and e-mail a customer's statement of account (对账单) for a period."""

    _name = "sale.policy.statement.send"
    _description = "Send Statement of Account"

    def _default_date_from(self):
        return self.env["sale.policy.statement"]._policy_previous_month()[0]

    def _default_date_to(self):
        return self.env["sale.policy.statement"]._policy_previous_month()[1]

    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    date_from = fields.Date(string="From", required=True, default=_default_date_from)
    date_to = fields.Date(string="To", required=True, default=_default_date_to)
    send_email = fields.Boolean(
        string="Send by E-mail",
        default=True,
        help="Off: the statement is issued as a draft to check before sending.",
    )

    def action_send(self):
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id
        statement = self.env["sale.policy.statement"].create(
            {"partner_id": partner.id, "date_from": self.date_from, "date_to": self.date_to}
        )
        if self.send_email:
            statement.action_send()
        return statement._get_records_action(name=self.env._("Statement of Account"))
