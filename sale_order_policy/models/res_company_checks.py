from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    """Settings of the order checks (订单审核要点): credit, price and payment terms."""

    _inherit = "res.company"

    sale_policy_overdue_days = fields.Integer(
        string="Overdue Grace Days",
        default=30,
        help="Receivables overdue by more than this number of days make the credit check warn.",
    )
    sale_policy_overdue_block = fields.Boolean(
        string="Block on Overdue Receivables",
        help="Overdue receivables beyond the grace days block the order instead of warning.",
    )
    sale_policy_max_discount = fields.Float(
        string="Max. Discount from Pricelist (%)",
        default=10.0,
    )
    sale_policy_min_margin = fields.Float(
        string="Min. Margin (%)",
        default=0.0,
        help="Lines whose margin on cost is below this percentage get a price warning. "
        "Selling below cost always blocks.",
    )
    sale_policy_payment_term_ids = fields.Many2many(
        "account.payment.term",
        "res_company_sale_policy_payment_term_rel",
        "company_id",
        "payment_term_id",
        string="Allowed Payment Terms",
        help="Payment terms accepted without review besides the customer's own terms.",
    )

    @api.constrains("sale_policy_max_discount", "sale_policy_overdue_days")
    def _check_sale_policy_thresholds(self):
        for company in self:
            if not 0 <= company.sale_policy_max_discount <= 100:
                raise ValidationError(
                    self.env._("The maximum discount must be between 0% and 100%.")
                )
            if company.sale_policy_overdue_days < 0:
                raise ValidationError(self.env._("The overdue grace days cannot be negative."))
