import hashlib
import json

from odoo import fields, models


class SalePolicyRule(models.Model):
    """Rules made by a chain preset remember how they were made, so that applying a
    preset again can tell an admin's edits from its own rules."""

    _inherit = "sale.policy.rule"

    preset_signature = fields.Char(copy=False, readonly=True)

    def _preset_signature(self):
        self.ensure_one()
        values = {
            "name": self.with_context(lang="en_US").name,
            "active": self.active,
            "sequence": self.sequence,
            "applies_to": self.applies_to,
            "department": self.department,
            "match_mode": self.match_mode,
            "amount_min": self.amount_min,
            "domain_condition": self.domain_condition,
            "check_types": sorted(self.check_type_ids.ids),
            "reviewer_type": self.reviewer_type,
            "reviewer_group": self.reviewer_group_id.id,
            "reviewers": sorted(self.reviewer_user_ids.ids),
            "approval_mode": self.approval_mode,
            "sla_hours": self.sla_hours,
        }
        return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()
