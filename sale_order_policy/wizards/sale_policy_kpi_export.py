import base64

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class SalePolicyKpiExport(models.TransientModel):
    """Period and filters of an assessment (考核): XLSX workbook or PDF per salesperson."""

    _name = "sale.policy.kpi.export"
    _description = "Sales Order Policy KPI Export"

    def _default_date_from(self):
        return fields.Date.context_today(self).replace(day=1) - relativedelta(months=1)

    def _default_date_to(self):
        return fields.Date.context_today(self).replace(day=1) - relativedelta(days=1)

    date_from = fields.Date(string="From", required=True, default=_default_date_from)
    date_to = fields.Date(string="To", required=True, default=_default_date_to)
    company_ids = fields.Many2many(
        "res.company",
        string="Companies",
        default=lambda self: self.env.company,
        domain=lambda self: [("id", "in", self.env.companies.ids)],
    )
    team_ids = fields.Many2many("crm.team", string="Sales Teams")
    user_ids = fields.Many2many("res.users", string="Salespeople", domain=[("share", "=", False)])
    file_data = fields.Binary(string="File", readonly=True, attachment=False)
    file_name = fields.Char(readonly=True)

    @api.constrains("date_from", "date_to")
    def _check_period(self):
        for wizard in self:
            if wizard.date_from > wizard.date_to:
                raise ValidationError(
                    self.env._(
                        "The period starts (%(start)s) after it ends (%(end)s).",
                        start=wizard.date_from,
                        end=wizard.date_to,
                    )
                )

    def _kpi_domain(self):
        self.ensure_one()
        domain = self.env["sale.policy.kpi.report"]._policy_period_domain(
            self.date_from, self.date_to
        )
        if self.company_ids:
            domain.append(("company_id", "in", self.company_ids.ids))
        if self.team_ids:
            domain.append(("team_id", "in", self.team_ids.ids))
        if self.user_ids:
            domain.append(("user_id", "in", self.user_ids.ids))
        return domain

    def _period_label(self):
        self.ensure_one()
        return self.env._(
            "%(start)s to %(end)s",
            start=fields.Date.to_string(self.date_from),
            end=fields.Date.to_string(self.date_to),
        )

    def _policy_scorecards(self):
        """Scorecards of the period, for the PDF (one page each)."""
        self.ensure_one()
        return self.env["sale.policy.kpi.report"]._policy_scorecards(self._kpi_domain())

    def _policy_attention_orders(self, user, limit=20):
        """The salesperson's orders of the period that missed a KPI, for review meetings."""
        self.ensure_one()
        domain = [
            *self._kpi_domain(),
            ("user_id", "=", user.id),
            "|",
            "|",
            ("first_time_right_count", "=", 0),
            ("sla_breach_count", ">", 0),
            "&",
            ("delivered_count", "=", 1),
            ("on_time_count", "=", 0),
        ]
        return self.env["sale.policy.kpi.report"].search(domain, limit=limit)

    def _policy_reward_penalties(self, user):
        """The salesperson's approved rewards and penalties (奖惩) of the period."""
        self.ensure_one()
        Register = self.env["sale.policy.reward.penalty"]
        if not Register.has_access("read"):
            return Register
        return Register.search(Register._policy_period_domain(user, self.date_from, self.date_to))

    def _policy_xlsx(self):
        self.ensure_one()
        title = self.env._("Sales order assessment %(period)s", period=self._period_label())
        return self.env["sale.policy.kpi.xlsx"]._policy_generate(
            self._kpi_domain(), title=title, period=(self.date_from, self.date_to)
        )

    def _file_name(self):
        return "{}_{}_{}.xlsx".format(
            self.env._("sales_order_assessment"),
            fields.Date.to_string(self.date_from),
            fields.Date.to_string(self.date_to),
        )

    def action_export_xlsx(self):
        self.ensure_one()
        self.write(
            {
                "file_data": base64.b64encode(self._policy_xlsx()),
                "file_name": self._file_name(),
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self._name}/{self.id}/file_data/{self.file_name}"
            "?download=true",
            "target": "download",
        }

    def action_print_pdf(self):
        self.ensure_one()
        if not self._policy_scorecards():
            raise UserError(self.env._("No submitted order in this period and selection."))
        return self.env.ref("sale_order_policy.action_report_kpi_assessment").report_action(self)
