from datetime import datetime

import psycopg2.errors
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import SalePolicyCase


@tagged("post_install", "-at_install")
class TestPolicyDatabaseGuard(SalePolicyCase):
    """Issue #24: the approval promise holds in PostgreSQL too. Python refuses first with a
    clear message; the deferred constraint triggers refuse at COMMIT whatever got past it.
    `SET CONSTRAINTS ALL IMMEDIATE` fires them now, inside the test's transaction."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule_head = cls._make_rule("Sales Head", 10, reviewer_type="team_leader")
        cls.company_off = cls.env["res.company"].create({"name": "No Policy Branch"})
        cls.salesman.write({"company_ids": [Command.link(cls.company_off.id)]})
        cls.sales_head.write({"company_ids": [Command.link(cls.company_off.id)]})

    # -- helpers ---------------------------------------------------------

    def _approved_order(self):
        order = self._make_order()
        order.with_user(self.salesman).action_submit_for_review()
        order.policy_review_ids.with_user(self.sales_head).action_approve()
        self.assertEqual(order.approval_state, "approved")
        return order

    def _check_now(self):
        """Fire the deferred triggers now (as COMMIT would)."""
        self.env.flush_all()
        self.env.cr.flush()
        self.env.cr.execute("SET CONSTRAINTS ALL IMMEDIATE")

    def assertDatabaseRefuses(self, func, fragment):
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.CheckViolation) as caught,
            self.env.cr.savepoint(),
        ):
            func()
            self._check_now()
        self.assertIn(fragment, str(caught.exception))
        self.env.invalidate_all()

    def _sql_confirm(self, order):
        self.env.flush_all()
        self.env.cr.execute("UPDATE sale_order SET state = 'sale' WHERE id = %s", [order.id])

    # -- the holes of issue #24 --------------------------------------------

    def test_cancelled_quotation_written_sale_refused(self):
        """(1) A cancelled quotation written `state = sale` by its salesperson."""
        order = self._make_order()
        order.with_user(self.salesman).with_context(disable_cancel_warning=True)._action_cancel()
        self.assertEqual(order.state, "cancel")
        with self.assertRefusedWith("cannot be confirmed before it is approved"):
            order.with_user(self.salesman).write({"state": "sale"})
        self.env.invalidate_all()
        self.assertEqual(order.state, "cancel")
        # Behind Python's back, the database refuses.
        self.assertDatabaseRefuses(
            lambda: self._sql_confirm(order), "without passing the approval gate"
        )

    def test_line_state_write_refused(self):
        """(2) A line written `state = sale` would reserve a delivery for a quotation that
        was never submitted."""
        order = self._make_order()
        line = order.order_line
        with self.assertRefusedWith("follow the order's state"):
            line.with_user(self.salesman).write({"state": "sale"})
            line.with_user(self.salesman).write({"product_uom_qty": 3})
        self.env.invalidate_all()
        self.assertEqual(line.state, "draft")
        self.assertFalse(order.picking_ids)

        def sql_line_state():
            self.env.flush_all()
            self.env.cr.execute(
                "UPDATE sale_order_line SET state = 'sale' WHERE id = %s", [line.id]
            )

        self.assertDatabaseRefuses(sql_line_state, "is in state sale while its order")

    def test_company_hop_refused(self):
        """(3) Approved in a policy company, moved to one without it, confirmed there and
        moved back: refused in Python, and in the database."""
        order = self._approved_order()
        with self.assertRefusedWith("cannot move to company"):
            order.with_user(self.sales_head).write({"company_id": self.company_off.id})
        self.env.invalidate_all()
        self.assertEqual(order.company_id, self.company)
        # A confirmed order neither.
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")
        total = order.amount_total
        with self.assertRefusedWith("cannot move to company"):
            order.with_user(self.sales_head).write({"company_id": self.company_off.id})
        self.env.invalidate_all()
        self.assertEqual((order.company_id, order.amount_total), (self.company, total))

        def sql_hop():
            self.env.flush_all()
            self.env.cr.execute(
                "UPDATE sale_order SET company_id = %s WHERE id = %s",
                [self.company_off.id, order.id],
            )

        self.assertDatabaseRefuses(sql_hop, "cannot move from company")

    def test_company_hop_of_a_draft_quotation_allowed(self):
        order = self._make_order()
        order.write({"company_id": self.company_off.id})
        self._check_now()
        self.assertEqual(order.company_id, self.company_off)

    # -- SQL ----------------------------------------------------------------

    def test_sql_confirmation_refused_with_the_policy_on(self):
        order = self._make_order()
        self.assertDatabaseRefuses(
            lambda: self._sql_confirm(order), "without passing the approval gate"
        )

    def test_sql_confirmation_allowed_with_the_policy_off(self):
        order = self._make_order(company_id=self.company_off.id)
        self.assertFalse(order.company_id.sale_policy_enabled)
        self._sql_confirm(order)
        self._check_now()
        # Odoo's own confirmation as well, and its delivery.
        order2 = self._make_order(company_id=self.company_off.id)
        order2.action_confirm()
        self._check_now()
        self.assertEqual(order2.state, "sale")
        # Every other trigger is a no-op too: content, company, line state, by any path.
        order2.order_line.write({"price_unit": 1.0, "product_uom_qty": 7})
        other_off = self.env["res.company"].create({"name": "Another Branch Without Policy"})
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE sale_order SET company_id = %s, commitment_date = NULL WHERE id = %s",
            [other_off.id, order2.id],
        )
        self.env.cr.execute(
            "UPDATE sale_order_line SET state = 'sale' WHERE order_id = %s", [order.id]
        )
        self.env.cr.execute("UPDATE sale_order SET state = 'cancel' WHERE id = %s", [order2.id])
        self.env.invalidate_all()
        self.assertEqual(order2.state, "cancel")

    def test_sql_content_change_of_a_confirmed_order_refused(self):
        order = self._approved_order()
        order.with_user(self.salesman).action_confirm()

        def sql_price():
            self.env.flush_all()
            self.env.cr.execute(
                "UPDATE sale_order_line SET price_unit = 1 WHERE id = %s", [order.order_line.id]
            )

        self.assertDatabaseRefuses(sql_price, "approved lines of confirmed order")

    # -- the normal paths pass ----------------------------------------------

    def test_submit_approve_confirm_passes(self):
        order = self._approved_order()
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")
        self._check_now()
        self.assertEqual(order.order_line.state, "sale")

    def test_change_request_applied_passes(self):
        order = self._approved_order()
        order.with_user(self.salesman).action_confirm()
        self._check_now()
        change = (
            self.env["sale.policy.change"]
            .with_user(self.salesman)
            .create(
                {
                    "order_id": order.id,
                    "reason": "Customer phoned",
                    "customer_confirmation_method": "phone",
                }
            )
        )
        change.line_ids.write({"new_qty": 5})
        change.with_user(self.salesman).action_submit()
        change.review_ids.with_user(self.sales_head).action_approve()
        self.assertEqual(change.state, "applied")
        self._check_now()
        self.assertEqual(order.order_line.product_uom_qty, 5)

    def test_delivery_validated_passes(self):
        order = self._approved_order()
        order.with_user(self.salesman).action_confirm()
        picking = order.picking_ids
        picking.action_assign()
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self._check_now()
        self.assertEqual(order.order_line.qty_delivered, 2)

    # -- "Before the Policy" comes from time --------------------------------

    def test_before_the_policy_from_time(self):
        self.company.sale_policy_enabled = False
        with freeze_time("2026-01-10 09:00:00"):
            before = self._make_order()
            before.action_confirm()
        with freeze_time("2026-02-01 09:00:00"):
            self.company.sale_policy_enabled = True
        self.assertEqual(self.company.sale_policy_enabled_since, datetime(2026, 2, 1, 9, 0))
        # An order confirmed after the switch-on without approval: not "before the policy",
        # even though it has no approval (here through SQL, which the database refuses at
        # commit; the display must not excuse it either).
        with freeze_time("2026-02-05 09:00:00"):
            after = self._make_order()
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE sale_order SET state = 'sale', date_order = %s WHERE id = %s",
            [datetime(2026, 2, 5, 9, 0), after.id],
        )
        self.env.invalidate_all()
        self.assertEqual(before.policy_status, "before_policy")
        self.assertEqual(after.policy_status, "draft")
        # The moment is engine-kept and in the configuration log.
        self.company.write({"sale_policy_enabled_since": datetime(2030, 1, 1)})
        self.assertEqual(self.company.sale_policy_enabled_since, datetime(2026, 2, 1, 9, 0))
        logged = self.env["sale.policy.config.log"].search(
            [("company_id", "=", self.company.id), ("field_name", "=", "sale_policy_enabled_since")]
        )
        self.assertTrue(logged)

    def test_user_cannot_raise_line_state_in_python_without_policy_change(self):
        """With the policy off, Odoo's behaviour is unchanged: the line write is not ours
        to refuse."""
        order = self._make_order(company_id=self.company_off.id)
        try:
            order.order_line.write({"state": "draft"})
        except UserError:
            self.fail("the policy must not refuse anything in a company without it")
