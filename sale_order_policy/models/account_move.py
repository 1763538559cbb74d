from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    policy_dunning_level_id = fields.Many2one(
        "sale.policy.dunning.level",
        string="Dunning Level",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Highest dunning level already sent for this invoice; it is never sent again.",
    )
    policy_dunning_log_ids = fields.Many2many(
        "sale.policy.dunning.log",
        "sale_policy_dunning_log_move_rel",
        "move_id",
        "log_id",
        string="Dunning History",
        readonly=True,
        copy=False,
    )
