from odoo import models
from odoo.addons.sale_order_policy.models.sale_policy_protected_mixin import (
    policy_system_change,
)


class HrExpenseSheet(models.Model):
    _inherit = "hr.expense.sheet"

    def action_sheet_move_post(self):
        # Posting the report's moves re-invoices its costs on the orders (sale's analytic
        # lines): logged with the expense report. The move alone would be logged as a
        # "Draft Bill", since it gets its number only after its analytic lines.
        with policy_system_change(self):
            return super().action_sheet_move_post()

    def action_reset_expense_sheets(self):
        # Resetting a report takes its re-invoiced costs off the orders (logged).
        with policy_system_change(self):
            return super().action_reset_expense_sheets()

    def _do_create_moves(self):
        with policy_system_change(self):
            return super()._do_create_moves()
