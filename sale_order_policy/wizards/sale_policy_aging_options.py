import base64

from odoo import fields, models


class SalePolicyAgingOptions(models.TransientModel):
    """Pick the as-of date of the receivables aging, then open or export it."""

    _name = "sale.policy.aging.options"
    _description = "Receivables Aging Options"

    aging_date = fields.Date(string="As of", required=True, default=fields.Date.context_today)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )

    def _report_context(self):
        self.ensure_one()
        return {"sale_policy_aging_date": fields.Date.to_string(self.aging_date)}

    def action_open_report(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sale_order_policy.sale_policy_aging_report_action"
        )
        action["context"] = {
            **self._report_context(),
            "search_default_group_partner": 1,
        }
        action["display_name"] = self.env._(
            "Receivables Aging as of %(date)s", date=fields.Date.to_string(self.aging_date)
        )
        return action

    def action_export_xlsx(self):
        self.ensure_one()
        report = self.env["sale.policy.aging.report"].with_context(**self._report_context())
        content = report._policy_xlsx_export([("company_id", "=", self.company_id.id)])
        attachment = self.env["ir.attachment"].create(
            {
                "name": self.env._(
                    "receivables_aging_%(date)s.xlsx",
                    date=fields.Date.to_string(self.aging_date),
                ),
                "datas": base64.b64encode(content),
                "res_model": self._name,
                "res_id": self.id,
                "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "download",
        }
