from odoo import api, fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    policy_dunning_level_id = fields.Many2one(
        "sale.policy.dunning.level",
        string="Dunning Level",
        compute="_compute_policy_dunning_level_id",
        store=True,
        index="btree_not_null",
        help="Highest dunning level already sent listing this invoice; it is never sent "
        "again by the daily cron.",
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

    @api.depends("policy_dunning_log_ids.level_id.days_overdue")
    def _compute_policy_dunning_level_id(self):
        for move in self:
            levels = move.policy_dunning_log_ids.level_id
            move.policy_dunning_level_id = max(
                levels, key=lambda level: level.days_overdue, default=levels
            )
