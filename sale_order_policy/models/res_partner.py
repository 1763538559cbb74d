from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    sale_policy_credit_exposure = fields.Monetary(
        string="Credit Exposure",
        compute="_compute_sale_policy_credit_exposure",
        currency_field="currency_id",
        help="Open receivables plus confirmed orders not yet invoiced, in the current "
        "company's currency, for the whole commercial entity.",
    )

    @api.depends_context("company")
    def _compute_sale_policy_credit_exposure(self):
        order_model = self.env["sale.order"]
        for partner in self:
            if not partner.id:
                partner.sale_policy_credit_exposure = 0.0
                continue
            probe = order_model.new(
                {"partner_id": partner.id, "company_id": self.env.company.id, "state": "sale"}
            )
            figures = probe._policy_credit_figures()
            partner.sale_policy_credit_exposure = figures["receivable"] + figures["to_invoice"]
