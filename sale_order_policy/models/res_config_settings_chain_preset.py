from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sale_policy_chain_preset = fields.Selection(
        related="company_id.sale_policy_chain_preset", readonly=False
    )

    def action_sale_policy_apply_chain_preset(self):
        """Apply the chosen preset to the current company; ask first when it would archive
        rules an admin made or edited."""
        self.ensure_one()
        self.execute()
        company = self.company_id
        if company.sale_policy_rule_approval:
            self.env["sale.policy.rule.proposal"]._policy_propose(
                preset=company.sale_policy_chain_preset, company=company
            )
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "warning",
                    "message": self.env._(
                        "The chain preset is proposed: it takes effect once the general "
                        "manager approves it."
                    ),
                    "next": {"type": "ir.actions.act_window_close"},
                },
            }
        edited = company._sale_policy_rules_edited()
        wizard = self.env["sale.policy.chain.preset.apply"].create(
            {
                "company_id": company.id,
                "preset": company.sale_policy_chain_preset,
                "replaced_rule_ids": [fields.Command.set(edited.ids)],
            }
        )
        if edited:
            return wizard._open()
        return wizard.action_apply()
