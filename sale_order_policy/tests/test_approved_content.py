from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import SalePolicyCase


@tagged("post_install", "-at_install")
class TestApprovedContent(SalePolicyCase):
    """What was approved is what gets confirmed, whatever path changes the order."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule_head = cls._make_rule("Sales Head", 10, reviewer_type="team_leader")
        cls.tax = cls.env["account.tax"].create(
            {"name": "VAT 13%", "amount": 13.0, "company_id": cls.company.id}
        )
        cls.term_now = cls.env.ref("account.account_payment_term_immediate")
        cls.portal = new_test_user(cls.env, "sop_portal_c", groups="base.group_portal")

    # -- helpers ---------------------------------------------------------

    def _approved_order(self, **vals):
        order = self._make_order(**vals)
        order.with_user(self.salesman).action_submit_for_review()
        order.policy_review_ids.with_user(self.sales_head).action_approve()
        self.assertEqual(order.approval_state, "approved")
        return order

    def _pending_order(self):
        order = self._make_order()
        order.with_user(self.salesman).action_submit_for_review()
        self.assertEqual(order.approval_state, "pending")
        return order

    def _assert_reset(self, order, *fragments):
        self.assertEqual(order.approval_state, "draft")
        reset = order.policy_log_ids.filtered(lambda log: log.event == "reset")[:1]
        self.assertTrue(reset, "the reset is logged")
        for fragment in fragments:
            self.assertIn(fragment, reset.comment)
        with self.assertRaises(UserError):
            order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "draft")

    # -- quotations: approved content changed -> approval reset ------------

    def test_line_created_with_default_order_id_resets(self):
        order = self._approved_order()
        self.env["sale.order.line"].with_user(self.salesman).with_context(
            default_order_id=order.id
        ).create({"product_id": self.product.id, "product_uom_qty": 50, "price_unit": 1.0})
        self._assert_reset(order, "Line added", "Steel Valve")

    def test_line_moved_from_another_quotation_resets(self):
        order = self._approved_order()
        other = self._make_order(lines=[(self.product_no_stock, 9, 40.0)])
        other.order_line.with_user(self.salesman).write({"order_id": order.id})
        self._assert_reset(order, "Line added", "Copper Pipe")

    def test_downpayment_flag_trick_resets(self):
        order = self._approved_order()
        line = (
            self.env["sale.order.line"]
            .with_user(self.salesman)
            .create(
                {
                    "order_id": order.id,
                    "product_id": self.product.id,
                    "product_uom_qty": 0.0,
                    "price_unit": 500.0,
                    "is_downpayment": True,
                }
            )
        )
        self.assertEqual(order.approval_state, "approved", "a zero down payment line is harmless")
        line.write({"product_uom_qty": 3.0})
        self._assert_reset(order, "Total")

    def test_downpayment_flag_does_not_hide_a_line(self):
        order = self._approved_order()
        line = order.order_line[0]
        line.with_user(self.salesman).write({"is_downpayment": True})
        self.assertEqual(order.approval_state, "approved", "the flag alone changes nothing")
        line.with_user(self.salesman).write({"product_uom_qty": 7})
        self._assert_reset(order, "7.0")

    def test_taxes_changed_after_approval_reset(self):
        order = self._approved_order()
        order.order_line.with_user(self.salesman).write({"tax_id": [Command.set(self.tax.ids)]})
        self._assert_reset(order, "VAT 13%")

    def test_salesperson_team_and_company_changes_reset(self):
        order = self._approved_order()
        order.with_user(self.sales_head).write({"user_id": self.salesman_other.id})
        self._assert_reset(order, self.salesman_other.name)

    def test_packaging_quantity_recompute_resets(self):
        packaging = self.env["product.packaging"].create(
            {"name": "Box of 10", "product_id": self.product.id, "qty": 10.0}
        )
        order = self._approved_order(lines=[(self.product, 10, 100.0)])
        order.order_line.with_user(self.salesman).write(
            {"product_packaging_id": packaging.id, "product_packaging_qty": 3.0}
        )
        self.assertEqual(order.order_line.product_uom_qty, 30.0)
        self._assert_reset(order, "30.0")

    def test_unchanged_resave_keeps_approval(self):
        order = self._approved_order()
        line = order.order_line[0]
        order.with_user(self.salesman).write(
            {
                "payment_term_id": order.payment_term_id.id,
                "note": "Deliver to gate 3",
                "order_line": [Command.update(line.id, {"product_uom_qty": line.product_uom_qty})],
            }
        )
        self.assertEqual(order.approval_state, "approved")

    # -- under review: refused -----------------------------------------------

    def test_pending_order_content_refused(self):
        order = self._pending_order()
        with self.assertRefusedWith("under review"):
            order.order_line.with_user(self.salesman).write({"price_unit": 1.0})
        with self.assertRefusedWith("under review"):
            order.with_user(self.salesman).write({"payment_term_id": self.term_now.id})
        with self.assertRefusedWith("under review"):
            order.order_line.with_user(self.salesman).unlink()
        self.env.invalidate_all()
        self.assertEqual(order.order_line.price_unit, 100.0)

    # -- the gate ---------------------------------------------------------------

    def test_state_and_terms_in_one_write_refused(self):
        order = self._approved_order()
        with self.assertRaises(UserError):
            order.with_user(self.salesman).write(
                {"state": "sale", "payment_term_id": self.term_now.id}
            )

    def test_confirm_refuses_a_version_changed_behind_the_guard(self):
        order = self._approved_order()
        # A path that bypasses write() (SQL, another module's raw update).
        self.env.cr.execute(
            "UPDATE sale_order_line SET price_unit = 1 WHERE order_id = %s", [order.id]
        )
        self.env.invalidate_all()
        action = order.with_user(self.salesman).action_confirm()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.approval_state, "draft")
        self.assertIn(
            "Unit Price", order.policy_log_ids.filtered(lambda log: log.event == "reset").comment
        )

    def test_approved_version_is_confirmed(self):
        order = self._approved_order()
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")
        sheet = order._policy_approved_version()
        self.assertEqual(len(sheet["lines"]), 1)
        self.assertFalse(sheet["changes"])

    # -- engine fields cannot be forged --------------------------------------

    def test_engine_fields_cannot_be_forged_at_create(self):
        SaleOrder = self.env["sale.order"].with_user(self.salesman)
        vals = {"partner_id": self.customer.id}
        with self.assertRaises(UserError):
            SaleOrder.create({**vals, "approval_state": "approved"})
        with self.assertRaises(UserError):
            SaleOrder.create({**vals, "policy_round": 3})
        with self.assertRaises(UserError):
            SaleOrder.create({**vals, "state": "sale"})
        order = SaleOrder.with_context(
            default_approval_state="approved", default_state="sale", default_policy_round=2
        ).create(vals)
        self.assertEqual(
            (order.approval_state, order.state, order.policy_round), ("draft", "draft", 0)
        )
        self.env["ir.default"].set(
            "sale.order", "approval_state", "approved", user_id=self.salesman.id
        )
        order = SaleOrder.create(vals)
        self.assertEqual(order.approval_state, "draft")

    def test_engine_fields_cannot_be_forged_by_copy_or_load(self):
        order = self._approved_order()
        with self.assertRaises(UserError):
            order.with_user(self.salesman).copy(default={"approval_state": "approved"})
        copied = order.with_user(self.salesman).copy()
        self.assertEqual(copied.approval_state, "draft")
        count = self.env["sale.order"].search_count([])
        result = (
            self.env["sale.order"]
            .with_user(self.salesman)
            .load(["partner_id/.id", "approval_state"], [[str(self.customer.id), "approved"]])
        )
        self.assertFalse(result["ids"])
        self.assertTrue(result["messages"])
        self.assertEqual(self.env["sale.order"].search_count([]), count, "nothing half-written")

    def test_engine_fields_refused_on_write(self):
        order = self._make_order()
        for vals in (
            {"approval_state": "approved"},
            {"policy_approved_content": {}},
            {"policy_party_user_ids": [Command.clear()]},
            {"policy_reader_user_ids": [Command.link(self.salesman.id)]},
        ):
            with self.assertRaises(UserError):
                order.with_user(self.salesman).write(vals)

    # -- who may decide ------------------------------------------------------

    def test_salesperson_of_an_earlier_round_never_decides(self):
        rule = self._make_rule(
            "Finance", 20, reviewer_user_ids=[Command.set((self.finance | self.salesman).ids)]
        )
        order = self._make_order()
        order.with_user(self.salesman).action_submit_for_review()
        head_review = order.policy_review_ids.filtered(lambda r: r.rule_id == self.rule_head)
        head_review.with_user(self.sales_head).action_reject("Wrong price")
        # The order goes to another salesperson, who resubmits it.
        order.with_user(self.sales_head).write({"user_id": self.salesman_other.id})
        order.with_user(self.salesman_other).action_submit_for_review()
        current = order.policy_review_ids.filtered(lambda r: r.review_round == 2)
        current.filtered(lambda r: r.rule_id == self.rule_head).with_user(
            self.sales_head
        ).action_approve()
        finance_review = current.filtered(lambda r: r.rule_id == rule)
        with self.assertRaises(AccessError):
            finance_review.with_user(self.salesman).action_approve()
        finance_review.with_user(self.finance).action_approve()
        self.assertEqual(order.approval_state, "approved")

    # -- cancellation ----------------------------------------------------------

    def test_cancelled_under_review_cannot_be_approved_or_revived(self):
        order = self._pending_order()
        review = order.policy_review_ids
        order.with_user(self.salesman)._action_cancel()
        self.assertEqual(order.state, "cancel")
        self.assertEqual(order.approval_state, "draft")
        self.assertEqual(review.state, "cancelled")
        self.assertFalse(review.activity_ids.exists())
        with self.assertRaises(UserError):
            review.with_user(self.sales_head).action_approve()
        order.order_line.with_user(self.salesman).write({"price_unit": 1.0})
        order.with_user(self.salesman).action_draft()
        self.assertEqual(order.approval_state, "draft")
        with self.assertRaises(UserError):
            order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "draft")

    # -- confirmed orders ----------------------------------------------------

    def test_confirmed_order_person_edits_refused(self):
        order = self._approved_order()
        order.with_user(self.salesman).action_confirm()
        line = order.order_line
        with self.assertRefusedWith("change request"):
            line.with_user(self.salesman).write({"product_uom_qty": 5})
        with self.assertRefusedWith("change request"):
            line.with_user(self.salesman).write({"tax_id": [Command.set(self.tax.ids)]})
        with self.assertRefusedWith("change request"):
            self.env["sale.order.line"].with_user(self.salesman).create(
                {"order_id": order.id, "product_id": self.product.id, "product_uom_qty": 1}
            )
        with self.assertRaises(UserError):
            line.with_user(self.salesman).unlink()
        with self.assertRefusedWith("change request"):
            order.with_user(self.sales_head).write({"user_id": self.salesman_other.id})
        self.env.invalidate_all()
        self.assertEqual(line.product_uom_qty, 2.0)

    def test_delivered_extra_product_is_logged_as_system_change(self):
        order = self._approved_order()
        order.with_user(self.salesman).action_confirm()
        picking = order.picking_ids
        picking.action_assign()
        self.env["stock.move"].create(
            {
                "name": "extra",
                "product_id": self.product_no_stock.id,
                "product_uom_qty": 1.0,
                "quantity": 1.0,
                "product_uom": self.product_no_stock.uom_id.id,
                "picking_id": picking.id,
                "location_id": picking.location_id.id,
                "location_dest_id": picking.location_dest_id.id,
            }
        )
        picking.move_ids.picked = True
        self.env["stock.quant"]._update_available_quantity(
            self.product_no_stock, picking.location_id, 5.0
        )
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.assertIn(self.product_no_stock, order.order_line.product_id)
        log = order.policy_log_ids.filtered(lambda log: log.event == "system_change")
        self.assertEqual(len(log), 1)
        self.assertIn(picking.name, log.comment)
        self.assertIn("Copper Pipe", log.comment)

    def test_down_payment_needs_approval(self):
        order = self._make_order()
        wizard = (
            self.env["sale.advance.payment.inv"]
            .with_context(active_model="sale.order", active_ids=order.ids)
            .create({"advance_payment_method": "fixed", "fixed_amount": 50.0})
        )
        with self.assertRefusedWith("before it is approved"):
            wizard.create_invoices()
        approved = self._approved_order()
        approved.with_user(self.salesman).action_confirm()
        wizard = (
            self.env["sale.advance.payment.inv"]
            .with_context(active_model="sale.order", active_ids=approved.ids)
            .create({"advance_payment_method": "fixed", "fixed_amount": 50.0})
        )
        wizard.create_invoices()
        self.assertTrue(approved.invoice_ids)
        self.assertEqual(approved.state, "sale")

    def test_down_payment_approves_at_once_when_no_rule_applies(self):
        self.env["sale.policy.rule"].search([]).write({"active": False})
        order = self._make_order()
        wizard = (
            self.env["sale.advance.payment.inv"]
            .with_user(self.salesman)
            .with_context(active_model="sale.order", active_ids=order.ids)
            .create({"advance_payment_method": "fixed", "fixed_amount": 50.0})
        )
        wizard.create_invoices()
        self.assertEqual((order.state, order.approval_state), ("draft", "approved"))
        self.assertEqual(order.invoice_ids.amount_untaxed, 50.0)
        self.assertIn("auto_approve", order.policy_log_ids.mapped("event"))

    # -- change requests -------------------------------------------------------

    def test_change_request_line_of_another_order_refused(self):
        order = self._approved_order()
        order.with_user(self.salesman).action_confirm()
        other = self._approved_order()
        other.with_user(self.salesman).action_confirm()
        change = (
            self.env["sale.policy.change"]
            .with_user(self.salesman)
            .create({"order_id": order.id, "change_type": "amend"})
        )
        with self.assertRaises(UserError):
            change.line_ids[:1].write({"sale_line_id": other.order_line.id})
        with self.assertRaises(ValidationError):
            self.env["sale.policy.change.line"].with_user(self.salesman).create(
                {"change_id": change.id, "sale_line_id": other.order_line.id, "new_qty": 1}
            )

    # -- small doors -----------------------------------------------------------

    def test_run_checks_needs_write_access(self):
        order = self._make_order()
        with self.assertRaises(AccessError):
            order.with_user(self.warehouse).action_run_policy_checks()

    def test_block_unapproved_email_on_every_path(self):
        self.company.sale_policy_block_unapproved_email = True
        order = self._make_order()
        with self.assertRefusedWith("not approved"):
            order.with_user(self.salesman).with_context(proforma=True).action_quotation_send()
        with self.assertRefusedWith("not approved"):
            order.with_user(self.salesman).message_post(
                body="Your quotation", partner_ids=self.customer.ids
            )
        # Internal notes stay possible.
        order.with_user(self.salesman).message_post(body="note", subtype_xmlid="mail.mt_note")

    def test_policy_switch_is_logged(self):
        self.company.with_user(self.policy_admin).sudo().write({"sale_policy_enabled": False})
        self.company.write({"sale_policy_enabled": True})
        logs = self.env["sale.policy.log"].search(
            [("event", "in", ("policy_on", "policy_off")), ("company_id", "=", self.company.id)],
            order="id",
        )
        self.assertEqual(logs.mapped("event")[-2:], ["policy_off", "policy_on"])

    # -- confirm directly when no review is needed ----------------------------

    def test_confirm_directly_when_no_rule_applies(self):
        self.rule_head.active = False
        order = self._make_order()
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.approval_state, "approved")
        self.assertIn("auto_approve", order.policy_log_ids.mapped("event"))

    def test_confirm_with_a_rule_refused_and_nothing_left(self):
        order = self._make_order()
        with self.assertRefusedWith("needs review"):
            order.with_user(self.salesman).action_confirm()
        order.invalidate_recordset()
        self.assertEqual(order.approval_state, "draft")
        self.assertFalse(order.sudo().policy_review_ids)

    def test_confirm_directly_on_the_form(self):
        self.rule_head.active = False
        form = Form(self.env["sale.order"].with_user(self.salesman))
        form.partner_id = self.customer
        form.payment_term_id = self.payment_term
        form.commitment_date = self._make_order().commitment_date
        form.customer_confirmation_method = "phone"
        form.intake_channel = "phone"
        with form.order_line.new() as line:
            line.product_id = self.product
        order = form.save()
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    # -- leaks ----------------------------------------------------------------

    def test_internal_policy_fields_hidden_from_portal(self):
        order = self._make_order(partner_id=self.portal.partner_id.id)
        order.message_subscribe(self.portal.partner_id.ids)
        for fname in (
            "policy_check_result",
            "policy_exception_summary",
            "policy_credit_exposure",
            "policy_credit_limit",
            "policy_reader_user_ids",
            "policy_approved_content",
        ):
            with self.assertRaises(AccessError, msg=fname):
                order.with_user(self.portal).read([fname])
        report = self.env["ir.actions.report"].with_user(self.portal)
        with self.assertRaises(AccessError):
            report._render_qweb_html("sale_order_policy.report_approval_sheet", order.ids)
