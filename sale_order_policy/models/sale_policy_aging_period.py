from odoo import api, fields, models

# The shipped periods (账龄区间): (upper limit in days overdue, bad-debt provision %);
# None is the open-ended period of every older receivable.
DEFAULT_AGING_PERIODS = [(0, 0.0), (30, 1.0), (60, 5.0), (90, 10.0), (180, 30.0), (None, 50.0)]


class SalePolicyAgingPeriod(models.Model):
    """A receivables aging period (账龄区间) of a company and its bad-debt provision rate
    (坏账准备计提比例).

    A period runs from the previous period's limit (exclusive) to its own (inclusive);
    the first one also holds what is not due yet, the open-ended one every older amount.
    Periods are ordered by their limit, so they are ascending by construction."""

    _name = "sale.policy.aging.period"
    _inherit = ["sale.policy.config.tracked.mixin"]
    _description = "Receivables Aging Period"
    _order = "company_id, open_ended, days_to, id"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        ondelete="cascade",
        default=lambda self: self.env.company,
    )
    days_to = fields.Integer(
        string="Up to (days overdue)",
        help="Last day overdue of the period; 0 is the period of receivables not due yet.",
    )
    open_ended = fields.Boolean(
        string="Older",
        default=False,
        help="The period of every receivable overdue beyond the other periods' limits.",
    )
    provision_percent = fields.Float(string="Provision (%)", digits=(5, 2))
    name = fields.Char(string="Aging Period", compute="_compute_name")

    _sql_constraints = [
        (
            "limit_company_uniq",
            "unique(company_id, open_ended, days_to)",
            "Two aging periods of a company cannot have the same limit, and a company has "
            "one older period.",
        ),
        (
            "limit_positive",
            "CHECK(days_to >= 0 AND (NOT open_ended OR days_to = 0))",
            "The limit of an aging period cannot be negative.",
        ),
        (
            "provision_percent_range",
            "CHECK(provision_percent >= 0 AND provision_percent <= 100)",
            "Bad-debt provision rates must be between 0% and 100%.",
        ),
    ]

    @api.depends("company_id", "days_to", "open_ended")
    def _compute_name(self):
        # A label depends on the previous period: label the company's periods together.
        labels = {}
        for company in self.company_id:
            periods = company._sale_policy_aging_periods()
            labels.update(zip(periods.ids, periods._policy_labels(), strict=True))
        for period in self:
            period.name = labels.get(period.id, False)

    @api.onchange("open_ended")
    def _onchange_open_ended(self):
        if self.open_ended:
            self.days_to = 0

    def _policy_labels(self):
        """Labels of the periods of one company, in their order: "Not Due", "1–30 days",
        …, "Over 180 days"."""
        labels = []
        previous = None
        for period in self:
            if period.open_ended:
                label = (
                    self.env._("Over %(days)s days", days=previous)
                    if previous is not None
                    else self.env._("All")
                )
            elif previous is None:
                label = (
                    self.env._("Not Due")
                    if period.days_to == 0
                    else self.env._("Up to %(days)s days", days=period.days_to)
                )
            else:
                label = self.env._("%(low)s–%(high)s days", low=previous + 1, high=period.days_to)
            labels.append(label)
            if not period.open_ended:
                previous = period.days_to
        return labels

    @api.model
    def _policy_default_vals(self):
        return [
            {
                "days_to": days_to or 0,
                "open_ended": days_to is None,
                "provision_percent": rate,
            }
            for days_to, rate in DEFAULT_AGING_PERIODS
        ]
