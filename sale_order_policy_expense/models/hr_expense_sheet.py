from odoo import models
from odoo.addons.sale_order_policy.models.sale_policy_protected_mixin import (
    policy_system_change,
)


class HrExpenseSheet(models.Model):
    _inherit = "hr.expense.sheet"

    def action_reset_expense_sheets(self):
        # Resetting a report takes its re-invoiced costs off the orders (logged).
        with policy_system_change(self):
            return super().action_reset_expense_sheets()

    def _do_create_moves(self):
        with policy_system_change(self):
            return super()._do_create_moves()
