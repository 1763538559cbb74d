from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    sale_policy_statement_count = fields.Integer(
        string="Statements", compute="_compute_sale_policy_statement_count"
    )

    @api.depends_context("company")
    def _compute_sale_policy_statement_count(self):
        Statement = self.env["sale.policy.statement"]
        if not Statement.has_access("read"):
            self.sale_policy_statement_count = 0
            return
        counts = dict(
            Statement._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.sale_policy_statement_count = counts.get(partner.commercial_partner_id, 0)

    def action_view_sale_policy_statements(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sale_order_policy.sale_policy_statement_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action
