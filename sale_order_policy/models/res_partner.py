from collections import defaultdict

from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    sale_policy_dunning_excluded = fields.Boolean(
        string="Excluded from Dunning",
        groups="sale_order_policy.group_finance_reviewer,account.group_account_invoice",
        tracking=True,
        help="No dunning letter (催款函) is sent to this customer, neither by the daily cron "
        "nor manually.",
    )
    sale_policy_dunning_log_ids = fields.One2many(
        "sale.policy.dunning.log", "partner_id", string="Dunning History", prefetch=False
    )
    sale_policy_dunning_count = fields.Integer(
        string="Dunning Letters", compute="_compute_sale_policy_dunning_count"
    )
    policy_rating_avg = fields.Float(
        string="Average Satisfaction",
        compute="_compute_policy_rating",
        help="Average of the ratings this customer gave to its sales orders (1 to 5).",
    )
    policy_rating_count = fields.Integer(string="Order Ratings", compute="_compute_policy_rating")

    def _compute_sale_policy_dunning_count(self):
        counts = dict(
            self.env["sale.policy.dunning.log"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.sale_policy_dunning_count = counts.get(partner, 0)

    def _compute_policy_rating(self):
        """Ratings of the whole commercial entity (the company and its contacts)."""
        totals = defaultdict(lambda: [0.0, 0])
        for partner, rating_sum, count in (
            self.env["rating.rating"]
            .sudo()
            ._read_group(
                [
                    ("res_model", "=", "sale.order"),
                    ("consumed", "=", True),
                    ("rating", ">=", 1),
                    ("partner_id.commercial_partner_id", "in", self.commercial_partner_id.ids),
                ],
                ["partner_id"],
                ["rating:sum", "__count"],
            )
        ):
            total = totals[partner.commercial_partner_id]
            total[0] += rating_sum
            total[1] += count
        for partner in self:
            rating_sum, count = totals.get(partner.commercial_partner_id, (0.0, 0))
            partner.policy_rating_avg = rating_sum / count if count else 0.0
            partner.policy_rating_count = count

    def action_policy_send_dunning_now(self):
        self.ensure_one()
        self.env["sale.policy.dunning.log"]._policy_send_now(self)
        return self.action_policy_open_dunning_history()

    def action_policy_toggle_dunning(self):
        self.env["sale.policy.dunning.log"]._policy_check_dunning_rights()
        for partner in self.sudo():
            partner.sale_policy_dunning_excluded = not partner.sale_policy_dunning_excluded

    def action_policy_open_dunning_history(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Dunning History"),
            "res_model": "sale.policy.dunning.log",
            "view_mode": "list,form",
            "domain": [("partner_id", "=", self.commercial_partner_id.id)],
            "context": {"create": False},
        }
