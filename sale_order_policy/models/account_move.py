from odoo import api, fields, models
from odoo.exceptions import UserError

from .sale_policy_protected_mixin import policy_system_change


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
        prefetch=False,
    )

    @api.depends("policy_dunning_log_ids.level_id.days_overdue")
    def _compute_policy_dunning_level_id(self):
        for move in self:
            levels = move.policy_dunning_log_ids.level_id
            move.policy_dunning_level_id = max(
                levels, key=lambda level: level.days_overdue, default=levels
            )

    def _post(self, soft=True):
        invoices = self.filtered(lambda m: m.is_sale_document(include_receipts=True))
        orders = invoices.line_ids.sale_line_ids.order_id
        if orders:
            Exc = self.env["sale.policy.exception"]
            blocking = Exc._policy_blocking_for(orders, "invoice")
            for invoice in invoices:
                found = blocking.filtered(
                    lambda e, m=invoice: e.order_id in m.line_ids.sale_line_ids.order_id
                    and (not e.invoice_id or e.invoice_id == m)
                )
                if found:
                    raise UserError(
                        Exc._policy_blocking_message(
                            found,
                            self.env._(
                                "Invoice %(invoice)s",
                                invoice=invoice.name or invoice.display_name,
                            ),
                        )
                    )
        # Re-invoiced costs (expenses, vendor bills) add order lines on behalf of the move.
        with policy_system_change(self):
            return super()._post(soft=soft)

    # Odoo undoes re-invoiced costs (expense sheets reset, moves reversed, cancelled or
    # deleted) on the orders' lines on behalf of the move.
    def button_draft(self):
        with policy_system_change(self):
            return super().button_draft()

    def button_cancel(self):
        with policy_system_change(self):
            return super().button_cancel()

    def _reverse_moves(self, default_values_list=None, cancel=False):
        with policy_system_change(self):
            return super()._reverse_moves(default_values_list=default_values_list, cancel=cancel)

    def unlink(self):
        with policy_system_change(self):
            return super().unlink()
