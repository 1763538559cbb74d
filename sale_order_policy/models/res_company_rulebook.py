from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    sale_policy_rule_approval = fields.Boolean(
        string="Rule Changes Need Approval",
        help="A change to an approval rule, or a chain preset applied, takes effect only after "
        "the general manager approves it (制度变更须经审批后生效).",
    )
