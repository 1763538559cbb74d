from odoo import models


class ResCompany(models.Model):
    """The company's policy settings (the `sale_policy_*` fields) are part of the
    rulebook: each change goes to the configuration log."""

    _name = "res.company"
    _inherit = ["res.company", "sale.policy.config.tracked.mixin"]

    _policy_config_log_creation = False

    def _policy_config_fields(self):
        return [name for name in super()._policy_config_fields() if name.startswith("sale_policy_")]

    def _policy_config_company(self):
        return self
