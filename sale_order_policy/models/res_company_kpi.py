from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    sale_policy_kpi_mail = fields.Boolean(
        string="Monthly Assessment E-mail",
        default=True,
        help="On the first day of each month, every sales team leader receives the team's KPI "
        "summary of the previous month with the XLSX workbook attached.",
    )
