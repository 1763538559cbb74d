from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    """Settings of settlement (结算), receivables aging (账龄) and bad-debt provision
    (坏账准备)."""

    _inherit = "res.company"

    sale_policy_settle_days = fields.Integer(
        string="Invoice Delivered Orders within (days)",
        default=3,
        help="Fully delivered orders not invoiced after this many days appear in the "
        "finance list of orders to settle.",
    )
    sale_policy_aging_period_ids = fields.One2many(
        "sale.policy.aging.period",
        "company_id",
        string="Aging Periods",
    )

    @api.constrains("sale_policy_aging_period_ids")
    def _check_sale_policy_aging_periods(self):
        # Checked on the company, after all the lines of a save are written.
        for company in self:
            if len(company.sale_policy_aging_period_ids.filtered("open_ended")) != 1:
                raise ValidationError(
                    self.env._(
                        "The aging periods of %(company)s need one older period for the "
                        "receivables beyond the last limit.",
                        company=company.name,
                    )
                )

    def _sale_policy_aging_periods(self):
        """The company's aging periods in their order (the cache keeps insertion order)."""
        self.ensure_one()
        return self.sudo().sale_policy_aging_period_ids.sorted(
            lambda period: (period.open_ended, period.days_to, period.id)
        )

    def _sale_policy_aging_limits(self):
        """Upper limits (days overdue) of the overdue periods, e.g. [30, 60, 90, 180]."""
        periods = self._sale_policy_aging_periods()
        return [p.days_to for p in periods if not p.open_ended and p.days_to > 0]

    def _sale_policy_provision_rates(self):
        """Provision rates (%) of the periods, not due first and older last."""
        return self._sale_policy_aging_periods().mapped("provision_percent")

    @api.model
    def _sale_policy_init_aging_periods(self):
        """Give the shipped aging periods to the companies that have none (install)."""
        self.with_context(active_test=False).search([])._sale_policy_give_aging_periods()

    def _sale_policy_give_aging_periods(self):
        """The shipped aging periods for those of these companies that have none.

        The module gives them, not the user: whoever may create a company (a Settings
        administrator, Odoo's own code) gets its periods without finance rights."""
        Period = self.env["sale.policy.aging.period"].sudo()
        companies = self.sudo().filtered(lambda c: not c.sale_policy_aging_period_ids)
        Period.create(
            [
                dict(vals, company_id=company.id)
                for company in companies
                for vals in Period._policy_default_vals()
            ]
        )
