from odoo import Command
from odoo.addons.sale_order_policy.tests.common import SalePolicyCase
from odoo.tests import new_test_user, tagged


@tagged("post_install", "-at_install")
class TestExpenseReinvoice(SalePolicyCase):
    """Re-invoiced expenses change confirmed policy orders as Odoo's own work: the line
    comes and goes with the expense report, without a change request, and the policy log
    records it with the document that caused it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._make_rule("Sales Head", 10, reviewer_type="team_leader")
        cls.taxi = cls.env["product.product"].create(
            {
                "name": "Taxi to Site",
                "type": "service",
                "can_be_expensed": True,
                "expense_policy": "sales_price",
                "invoice_policy": "order",
                "list_price": 80.0,
                "standard_price": 0.0,
                "taxes_id": [Command.clear()],
                "supplier_taxes_id": [Command.clear()],
            }
        )
        employee_user = new_test_user(
            cls.env, "sop_expense_emp", groups="base.group_user", name="Engineer Eng"
        )
        cls.employee = cls.env["hr.employee"].create(
            {
                "name": "Engineer Eng",
                "user_id": employee_user.id,
                "work_contact_id": employee_user.partner_id.id,
                "company_id": cls.company.id,
            }
        )
        # Company-paid expenses are booked against an outstanding payments account.
        cls.company.expense_outstanding_account_id = cls.env["account.account"].create(
            {
                "name": "Outstanding Expense Payments",
                "code": "SOP101",
                "account_type": "asset_current",
            }
        )

    def _confirmed_order(self):
        order = self._make_order()
        order.with_user(self.salesman).action_submit_for_review()
        order.policy_review_ids.with_user(self.sales_head).action_approve()
        self.assertEqual(order.approval_state, "approved")
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")
        return order

    def _posted_sheet(self, order, payment_mode="own_account"):
        expense = self.env["hr.expense"].create(
            {
                "name": "Taxi to the customer's site",
                "employee_id": self.employee.id,
                "product_id": self.taxi.id,
                "quantity": 1,
                "total_amount_currency": 35.0,
                "payment_mode": payment_mode,
                "sale_order_id": order.id,
            }
        )
        self.assertEqual(expense.sale_order_id, order)
        sheet = self.env["hr.expense.sheet"].create(
            {
                "name": "Site visit",
                "employee_id": self.employee.id,
                "expense_line_ids": [Command.set(expense.ids)],
            }
        )
        sheet.action_submit_sheet()
        sheet.action_approve_expense_sheets()
        sheet.action_sheet_move_post()
        self.assertEqual(sheet.account_move_ids.state, "posted")
        return sheet

    def _system_changes(self, order):
        return order.sudo().policy_log_ids.filtered(lambda log: log.event == "system_change")

    def test_reinvoiced_expense_adds_its_line_logged_as_system_change(self):
        order = self._confirmed_order()
        approved_line = order.order_line
        sheet = self._posted_sheet(order)
        expense_line = order.order_line - approved_line
        self.assertEqual(len(expense_line), 1)
        self.assertRecordValues(
            expense_line,
            [
                {
                    "product_id": self.taxi.id,
                    "is_expense": True,
                    "product_uom_qty": 1.0,
                    "qty_delivered": 1.0,
                    "price_unit": 80.0,  # re-invoiced at the sales price
                }
            ],
        )
        # Accepted, not refused or sent to a change request: still confirmed and approved.
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.approval_state, "approved")
        self.assertFalse(order.sudo().policy_change_ids)
        log = self._system_changes(order)
        self.assertEqual(len(log), 1)
        # Logged with the expense report, not as the move's "Draft Bill" label.
        self.assertIn(f"Changed by Odoo for {sheet.name}:", log.comment)
        self.assertNotIn("Draft", log.comment)
        self.assertIn("Line added: Taxi to Site", log.comment)

    def test_company_paid_expense_is_reinvoiced_too(self):
        order = self._confirmed_order()
        sheet = self._posted_sheet(order, payment_mode="company_account")
        self.assertEqual(order.order_line.filtered("is_expense").product_id, self.taxi)
        log = self._system_changes(order)
        self.assertEqual(len(log), 1)
        self.assertIn(f"Changed by Odoo for {sheet.name}:", log.comment)

    def test_reset_expense_report_takes_its_cost_off_logged(self):
        order = self._confirmed_order()
        sheet = self._posted_sheet(order)
        expense_line = order.order_line.filtered("is_expense")
        sheet.action_reset_expense_sheets()
        self.assertEqual(sheet.state, "draft")
        self.assertRecordValues(expense_line, [{"product_uom_qty": 0.0, "qty_delivered": 0.0}])
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.approval_state, "approved")
        reset_log = self._system_changes(order)[:1]  # newest first
        self.assertEqual(len(self._system_changes(order)), 2)
        self.assertIn(sheet.display_name, reset_log.comment)
        self.assertIn("Taxi to Site", reset_log.comment)

    def test_the_same_line_by_hand_needs_a_change_request(self):
        """Only Odoo's expense flow is let through: a user adding that line is refused."""
        order = self._confirmed_order()
        with self.assertRefusedWith("change request"):
            self.env["sale.order.line"].with_user(self.salesman).create(
                {
                    "order_id": order.id,
                    "product_id": self.taxi.id,
                    "product_uom_qty": 1,
                    "price_unit": 80.0,
                }
            )
        self.assertFalse(order.order_line.filtered("is_expense"))
        self.assertFalse(self._system_changes(order))
