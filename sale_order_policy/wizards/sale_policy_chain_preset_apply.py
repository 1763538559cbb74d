from odoo import fields, models

from ..models.res_company_chain_preset import CHAIN_PRESETS


class SalePolicyChainPresetApply(models.TransientModel):
    """Confirmation before a chain preset archives rules an admin made or edited."""

    _name = "sale.policy.chain.preset.apply"
    _description = "Apply an Approval Chain Preset"

    company_id = fields.Many2one("res.company", required=True, readonly=True)
    preset = fields.Selection(CHAIN_PRESETS, required=True, readonly=True)
    replaced_rule_ids = fields.Many2many(
        "sale.policy.rule",
        string="Rules Made or Edited by Hand",
        readonly=True,
        context={"active_test": False},
    )

    def _open(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Apply Approval Chain Preset"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_apply(self):
        self.ensure_one()
        if self.company_id.sale_policy_rule_approval:
            # One proposal for the whole preset, decided by the general manager.
            self.env["sale.policy.rule.proposal"]._policy_propose(
                preset=self.preset, company=self.company_id
            )
            return {"type": "ir.actions.act_window_close"}
        rules = self.company_id._sale_policy_apply_chain_preset(self.preset)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("Approval chain applied"),
                "message": self.env._(
                    "%(count)s rules now make the chain of %(company)s; the earlier rules "
                    "are archived.",
                    count=len(rules),
                    company=self.company_id.name,
                ),
                "next": {"type": "ir.actions.client", "tag": "reload"},
            },
        }
