from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import SalePolicyCase


@tagged("post_install", "-at_install")
class TestChangeRequest(SalePolicyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule_order = cls._make_rule(
            "Sales Head", 10, reviewer_type="team_leader", department="sales"
        )
        cls.rule_change_head = cls._make_rule(
            "Change: Sales Head", 10, applies_to="change", reviewer_type="team_leader"
        )
        cls.rule_change_finance = cls._make_rule(
            "Change: Finance",
            20,
            applies_to="change",
            reviewer_type="group",
            reviewer_group_id=cls.env.ref("sale_order_policy.group_finance_reviewer").id,
            change_condition="increase",
            change_increase_percent=10.0,
        )
        cls.rule_change_gm = cls._make_rule(
            "Change: General Manager",
            30,
            applies_to="change",
            reviewer_type="group",
            reviewer_group_id=cls.env.ref("sale_order_policy.group_general_manager").id,
            change_condition="price_cut",
        )
        cls.rule_cancel = cls._make_rule(
            "Cancel: Sales Head", 10, applies_to="cancel", reviewer_type="team_leader"
        )
        cls.reason_customer = cls.env.ref("sale_order_policy.cancel_reason_customer_request")
        cls.reason_other = cls.env.ref("sale_order_policy.cancel_reason_other")

    def _confirmed_order(self, lines=None):
        order = self._make_order(lines=lines)
        order.with_user(self.salesman).action_submit_for_review()
        order.policy_review_ids.with_user(self.sales_head).action_approve()
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")
        return order

    def _request(self, order, line_values=None, user=None, **vals):
        """A submitted change request: `line_values` maps a sale line to new values."""
        user = user or self.salesman
        change = (
            self.env["sale.policy.change"]
            .with_user(user)
            .create(
                {
                    "order_id": order.id,
                    "reason": "Customer phoned",
                    "customer_confirmation_method": "phone",
                    **vals,
                }
            )
        )
        for sale_line, new_vals in (line_values or {}).items():
            change.line_ids.filtered(lambda cl, sl=sale_line: cl.sale_line_id == sl).write(new_vals)
        change.action_submit()
        return change

    def _review(self, change, rule):
        return change.review_ids.filtered(lambda r: r.rule_id == rule)

    # ------------------------------------------------------------------
    # Direct writes
    # ------------------------------------------------------------------

    def test_material_writes_on_confirmed_order_refused(self):
        order = self._confirmed_order()
        line = order.order_line[0]
        for user in (self.salesman, self.env.ref("base.user_admin")):
            with self.assertRefusedWith("Request Change"):
                line.with_user(user).product_uom_qty = 5
            with self.assertRefusedWith("Request Change"):
                line.with_user(user).price_unit = 90
            with self.assertRefusedWith("Request Change"):
                order.with_user(user).commitment_date = fields.Datetime.now() + timedelta(days=30)
            with self.assertRefusedWith("Request Change"):
                order.with_user(user).write(
                    {"order_line": [Command.create({"product_id": self.service.id})]}
                )
        # Notes, tags and the customer reference stay free.
        tag = self.env["crm.tag"].create({"name": "VIP"})
        order.with_user(self.salesman).write(
            {
                "note": "Deliver to gate 2",
                "client_order_ref": "PO-77",
                "tag_ids": [Command.set(tag.ids)],
            }
        )
        self.assertEqual(order.client_order_ref, "PO-77")
        self.assertEqual(line.product_uom_qty, 2)
        # Engine fields cannot be forged either.
        with self.assertRaises(UserError):
            order.sudo().write({"policy_revision": 3})

    # ------------------------------------------------------------------
    # Amendments
    # ------------------------------------------------------------------

    def test_quantity_increase_applied_after_approval_updates_picking(self):
        order = self._confirmed_order()
        line = order.order_line[0]
        picking = order.picking_ids
        self.assertEqual(picking.move_ids.product_uom_qty, 2)

        change = self._request(order, {line: {"new_qty": 5}})
        self.assertEqual(change.state, "pending")
        self.assertEqual(change.amount_increase_percent, 150.0)
        # Sales head, then finance (increase above 10 %); no price cut: no GM step.
        self.assertEqual(
            change.review_ids.mapped("rule_id"), self.rule_change_head | self.rule_change_finance
        )
        self.assertEqual(self._review(change, self.rule_change_head).state, "pending")
        self.assertEqual(line.product_uom_qty, 2, "nothing changes before the approval")

        self._review(change, self.rule_change_head).with_user(self.sales_head).action_approve()
        self.assertEqual(change.state, "pending")
        # The requester may not approve their own change.
        with self.assertRaises(AccessError):
            self._review(change, self.rule_change_finance).with_user(self.salesman).action_approve()
        change.with_user(self.finance).action_approve()

        self.assertEqual(change.state, "applied")
        self.assertEqual(line.product_uom_qty, 5)
        self.assertEqual(order.picking_ids, picking, "the open picking is updated, not replaced")
        self.assertEqual(picking.move_ids.product_uom_qty, 5)
        self.assertEqual(order.policy_revision, 1)
        self.assertEqual(order.amount_untaxed, 500.0)
        events = order.policy_log_ids.filtered(lambda log: log.change_id == change).mapped("event")
        for event in ("change_request", "approve", "apply", "revision"):
            self.assertIn(event, events)

    def test_price_cut_routed_to_general_manager(self):
        order = self._confirmed_order()
        line = order.order_line[0]
        change = self._request(order, {line: {"new_price_unit": 90.0}})
        self.assertTrue(change.has_price_cut)
        self.assertEqual(
            change.review_ids.mapped("rule_id"), self.rule_change_head | self.rule_change_gm
        )
        gm_review = self._review(change, self.rule_change_gm)
        self.assertEqual(gm_review.state, "waiting")
        self._review(change, self.rule_change_head).with_user(self.sales_head).action_approve()
        self.assertEqual(gm_review.state, "pending")
        self.assertIn(self.gm, gm_review.reviewer_user_ids)
        self.assertNotIn(self.finance, gm_review.reviewer_user_ids)
        with self.assertRaises(AccessError):
            gm_review.with_user(self.finance).action_approve()
        self.assertEqual(line.price_unit, 100.0)
        gm_review.with_user(self.gm).action_approve("同意降价")
        self.assertEqual(change.state, "applied")
        self.assertEqual(line.price_unit, 90.0)
        # A raised discount is a price cut too.
        change2 = self._request(order, {line: {"new_discount": 5.0}})
        self.assertIn(self.rule_change_gm, change2.review_ids.rule_id)

    def test_rejected_change_leaves_order_untouched(self):
        order = self._confirmed_order()
        line = order.order_line[0]
        before = (line.product_uom_qty, line.price_unit, order.payment_term_id, order.amount_total)
        new_term = self.env.ref("account.account_payment_term_end_following_month")
        change = self._request(
            order, {line: {"new_qty": 10, "new_price_unit": 80.0}}, new_payment_term_id=new_term.id
        )
        head = self._review(change, self.rule_change_head)
        with self.assertRaises(UserError):
            head.with_user(self.sales_head).action_reject(" ")
        head.with_user(self.sales_head).action_reject("价格过低")
        self.assertEqual(change.state, "rejected")
        self.assertTrue(all(r.state in ("rejected", "cancelled") for r in change.review_ids))
        self.assertEqual(
            (line.product_uom_qty, line.price_unit, order.payment_term_id, order.amount_total),
            before,
        )
        self.assertEqual(order.picking_ids.move_ids.product_uom_qty, 2)
        self.assertEqual(order.policy_revision, 0)
        self.assertFalse(order.policy_revision_ids)
        reject_log = order.policy_log_ids.filtered(lambda log: log.event == "reject")
        self.assertEqual(reject_log.change_id, change)
        self.assertEqual(reject_log.comment, "价格过低")
        # The rejected request is frozen; a new request can be made.
        with self.assertRaises(UserError):
            change.with_user(self.salesman).write({"reason": "again"})
        with self.assertRaises(UserError):
            change.line_ids.with_user(self.salesman).write({"new_qty": 3})
        with self.assertRaises(UserError):
            change.with_user(self.salesman).unlink()

    def test_revision_numbers_and_diff(self):
        order = self._confirmed_order(lines=[(self.product, 2, 100.0), (self.service, 1, 80.0)])
        valve, service = order.order_line
        new_term = self.env.ref("account.account_payment_term_end_following_month")
        # Rev. 1: more valves, other payment terms, a new product.
        change1 = (
            self.env["sale.policy.change"]
            .with_user(self.salesman)
            .create(
                {
                    "order_id": order.id,
                    "reason": "Bigger project",
                    "customer_confirmation_method": "written",
                    "new_payment_term_id": new_term.id,
                }
            )
        )
        change1.line_ids.filtered(lambda cl: cl.sale_line_id == valve).new_qty = 4
        change1.write(
            {
                "line_ids": [
                    Command.create(
                        {"product_id": self.product_no_stock.id, "new_qty": 3, "new_price_unit": 40}
                    )
                ]
            }
        )
        self.assertEqual(change1.line_ids.mapped("line_status"), ["changed", "same", "new"])
        change1.action_submit()
        change1.review_ids.filtered(lambda r: r.state == "pending").with_user(
            self.sales_head
        ).action_approve()
        change1.with_user(self.finance).action_approve()
        self.assertEqual(change1.state, "applied")
        self.assertEqual(order.policy_revision, 1)
        self.assertEqual(order.payment_term_id, new_term)
        self.assertEqual(len(order.order_line), 3)
        rev1 = change1.revision_id
        self.assertEqual(rev1.revision_number, 1)
        self.assertEqual(rev1.name, "Rev. 1")
        # The snapshot keeps the previous version.
        self.assertEqual(rev1.payment_term_id, self.payment_term)
        self.assertEqual(rev1.amount_untaxed, 280.0)
        self.assertEqual(
            sorted(rev1.line_ids.mapped(lambda rl: (rl.product_id.name, rl.product_uom_qty))),
            [("Installation", 1.0), ("Steel Valve", 2.0)],
        )
        diff = rev1.diff
        self.assertIn("Payment Terms: 30 Days → End of Following Month", diff)
        self.assertIn("Steel Valve: quantity 2.00 → 4.00", diff)
        self.assertIn("Added Copper Pipe: 3.00 × 40.00", diff)
        self.assertIn("Total:", diff)

        # Rev. 2: remove the service line.
        change2 = self._request(order, {service: {"new_qty": 0}})
        change2.review_ids.filtered(lambda r: r.state == "pending").with_user(
            self.sales_head
        ).action_approve()
        self.assertEqual(change2.state, "applied")
        self.assertEqual(order.policy_revision, 2)
        self.assertEqual(service.product_uom_qty, 0)
        rev2 = change2.revision_id
        self.assertEqual(rev2.revision_number, 2)
        self.assertIn("Removed Installation (quantity 1.00 → 0)", rev2.diff)
        self.assertEqual(rev2.amount_untaxed, 600.0)
        self.assertEqual(order.policy_revision_ids.mapped("revision_number"), [2, 1])
        # Revisions are engine records, read-only for everyone.
        with self.assertRaises(UserError):
            rev1.sudo().write({"diff": "forged"})
        with self.assertRaises(UserError):
            rev1.sudo().unlink()
        # The approval sheet prints the revision.
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("sale_order_policy.action_report_approval_sheet", order.ids)[0]
            .decode()
        )
        self.assertIn("Rev. 2", html)
        self.assertIn("Removed Installation", html)

    def test_incomplete_or_empty_request_refused(self):
        order = self._confirmed_order()
        change = (
            self.env["sale.policy.change"].with_user(self.salesman).create({"order_id": order.id})
        )
        with self.assertRaisesRegex(UserError, "reason for the change"):
            change.action_submit()
        change.write({"reason": "x", "customer_confirmation_method": "email"})
        with self.assertRaisesRegex(UserError, "changes nothing"):
            change.action_submit()
        self.assertEqual(change.state, "draft")
        # Engine fields cannot be set by the requester, neither on write nor on create.
        with self.assertRaises(UserError):
            change.write({"state": "applied"})
        with self.assertRaises(UserError):
            change.write({"state": "draft"})
        with self.assertRaises(UserError):
            self.env["sale.policy.change"].with_user(self.salesman).create(
                {"order_id": order.id, "state": "approved"}
            )
        with self.assertRaises(UserError):
            self.env["sale.policy.change"].sudo().create(
                {"order_id": order.id, "requested_by_id": self.sales_head.id}
            )
        # What the web client sends for a new record is accepted.
        draft = (
            self.env["sale.policy.change"]
            .with_user(self.salesman)
            .create(
                {"order_id": order.id, "state": "draft", "review_round": 0, "apply_error": False}
            )
        )
        self.assertEqual(draft.state, "draft")

    def test_one_open_request_and_withdraw(self):
        order = self._confirmed_order()
        line = order.order_line[0]
        change = self._request(order, {line: {"new_qty": 3}})
        self.assertEqual(order.policy_open_change_id, change)
        with self.assertRaisesRegex(UserError, "already has an open request"):
            self._request(order, {line: {"new_qty": 4}})
        change.with_user(self.salesman).action_withdraw()
        self.assertEqual(change.state, "cancelled")
        self.assertTrue(all(r.state == "cancelled" for r in change.review_ids))
        self.assertIn("change_withdraw", order.policy_log_ids.mapped("event"))
        self.assertEqual(line.product_uom_qty, 2)

    def test_no_applicable_rule_applies_at_once(self):
        self.rule_change_head.active = False
        order = self._confirmed_order()
        change = self._request(order, {order.order_line[0]: {"new_qty": 2.1}})
        self.assertEqual(change.state, "applied")
        self.assertEqual(order.order_line[0].product_uom_qty, 2.1)
        self.assertIn("auto_approve", change.log_ids.mapped("event"))

    # ------------------------------------------------------------------
    # Cancellation
    # ------------------------------------------------------------------

    def _cancel_request(self, order, reason=None, note="Project stopped", user=None):
        return (
            self.env["sale.policy.change"]
            .with_user(user or self.salesman)
            .create(
                {
                    "order_id": order.id,
                    "change_type": "cancel",
                    "cancel_reason_id": (reason or self.reason_customer).id,
                    "reason": note,
                }
            )
        )

    def test_cancel_confirmed_order_only_through_approved_request(self):
        order = self._confirmed_order()
        picking = order.picking_ids
        for user in (self.salesman, self.env.ref("base.user_admin")):
            with self.assertRaisesRegex(UserError, "Request Cancellation"):
                order.with_user(user)._action_cancel()
            with self.assertRaisesRegex(UserError, "Request Cancellation"):
                order.with_user(user).write({"state": "cancel"})
        # The Cancel button and Odoo's own cancel wizard open the request dialog instead.
        action = order.with_user(self.salesman).action_cancel()
        self.assertEqual(action["res_model"], "sale.policy.change")
        self.assertEqual(action["context"]["default_change_type"], "cancel")
        self.assertTrue(action["context"]["sale_policy_cancel_needs_approval"])
        wizard = (
            self.env["sale.order.cancel"].with_user(self.salesman).create({"order_id": order.id})
        )
        self.assertEqual(wizard.action_cancel()["res_model"], "sale.policy.change")
        self.assertEqual(order.state, "sale")
        self.assertEqual(picking.state, "assigned")

        change = self._cancel_request(order)
        change.action_submit()
        self.assertEqual(change.state, "pending")
        self.assertEqual(change.review_ids.rule_id, self.rule_cancel)
        self.assertEqual(order.state, "sale")
        change.review_ids.with_user(self.sales_head).action_approve()
        self.assertEqual(change.state, "applied")
        self.assertEqual(order.state, "cancel")
        self.assertEqual(picking.state, "cancel")
        self.assertEqual(order.policy_cancel_reason_id, self.reason_customer)
        self.assertEqual(order.approval_state, "draft", "a reopened order is reviewed again")
        events = order.policy_log_ids.filtered(lambda log: log.change_id == change).mapped("event")
        for event in ("cancel_request", "approve", "cancel"):
            self.assertIn(event, events)

    def test_cancel_removes_draft_invoice(self):
        self.service.invoice_policy = "order"
        order = self._confirmed_order(lines=[(self.service, 1, 80.0)])
        invoice = order._create_invoices()
        self.assertEqual(invoice.state, "draft")
        change = self._cancel_request(order)
        change.action_submit()
        change.review_ids.with_user(self.sales_head).action_approve()
        self.assertEqual(order.state, "cancel")
        self.assertEqual(invoice.state, "cancel")

    def test_cancel_partly_delivered_order_refused(self):
        order = self._confirmed_order()
        picking = order.picking_ids
        picking.move_ids.quantity = 1
        picking.move_ids.picked = True
        picking.with_context(cancel_backorder=False, skip_backorder=True)._action_done()
        self.assertEqual(order.order_line.qty_delivered, 1)
        change = self._cancel_request(order)
        with self.assertRaisesRegex(UserError, "already delivered.*Return") as caught:
            change.action_submit()
        self.assertIn("credit note", caught.exception.args[0])
        self.assertEqual(change.state, "draft")
        self.assertEqual(order.state, "sale")
        # A quantity below the delivered one is refused too.
        change_qty = (
            self.env["sale.policy.change"]
            .with_user(self.salesman)
            .create(
                {"order_id": order.id, "reason": "less", "customer_confirmation_method": "phone"}
            )
        )
        change_qty.line_ids.new_qty = 0.5
        with self.assertRaisesRegex(UserError, "already delivered"):
            change_qty.action_submit()

    def test_cancel_with_posted_invoice_refused(self):
        self.service.invoice_policy = "order"
        order = self._confirmed_order(lines=[(self.service, 1, 80.0)])
        invoice = order._create_invoices()
        invoice.action_post()
        change = self._cancel_request(order)
        with self.assertRaisesRegex(UserError, "is posted.*credit note"):
            change.action_submit()
        # Once reversed by a credit note, the cancellation can be requested.
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "reason": "cancel"})
        )
        reversal.modify_moves()
        self.assertEqual(invoice.payment_state, "reversed")
        change.action_submit()
        self.assertEqual(change.state, "pending")

    def test_draft_quotation_cancel_records_reason_without_approval(self):
        order = self._make_order()
        action = order.with_user(self.salesman).action_cancel()
        self.assertEqual(action["res_model"], "sale.policy.change")
        self.assertFalse(action["context"]["sale_policy_cancel_needs_approval"])
        form = Form(
            self.env["sale.policy.change"]
            .with_user(self.salesman)
            .with_context(**action["context"]),
            view="sale_order_policy.sale_policy_change_view_form_cancel",
        )
        form.cancel_reason_id = self.reason_other
        change = form.save()
        with self.assertRaisesRegex(UserError, "needs an explanation"):
            change.action_submit()
        change.reason = "客户重复下单"
        result = change.with_context(sale_policy_change_dialog=True).action_submit()
        self.assertEqual(result["type"], "ir.actions.act_window_close")
        self.assertEqual(change.state, "applied")
        self.assertFalse(change.review_ids)
        self.assertEqual(order.state, "cancel")
        self.assertEqual(order.policy_cancel_reason_id, self.reason_other)
        log = order.policy_log_ids.filtered(lambda entry: entry.event == "cancel")
        self.assertIn("客户重复下单", log.comment)
        self.assertEqual(log.change_id, change)

    def test_approved_quotation_cancel_needs_request(self):
        order = self._make_order()
        order.with_user(self.salesman).action_submit_for_review()
        order.policy_review_ids.with_user(self.sales_head).action_approve()
        self.assertEqual(order.approval_state, "approved")
        with self.assertRaisesRegex(UserError, "Request Cancellation"):
            order.with_user(self.salesman)._action_cancel()
        change = self._cancel_request(order)
        change.action_submit()
        self.assertEqual(change.state, "pending")
        change.review_ids.with_user(self.sales_head).action_approve()
        self.assertEqual(order.state, "cancel")

    def test_change_rule_conditions(self):
        order = self._confirmed_order()
        line = order.order_line[0]
        # +5 %: under the finance threshold.
        change = (
            self.env["sale.policy.change"].with_user(self.salesman).create({"order_id": order.id})
        )
        change.line_ids.filtered(lambda cl: cl.sale_line_id == line).new_qty = 2.1
        self.assertAlmostEqual(change.amount_increase_percent, 5.0)
        self.assertFalse(self.rule_change_finance._applies_to_change(change))
        self.assertTrue(self.rule_change_head._applies_to_change(change))
        self.assertFalse(self.rule_change_gm._applies_to_change(change))
        change.line_ids.new_qty = 3
        self.assertTrue(self.rule_change_finance._applies_to_change(change))

    def test_delivery_date_change_follows_to_picking(self):
        order = self._confirmed_order()
        new_date = fields.Datetime.now().replace(microsecond=0) + timedelta(days=40)
        change = self._request(order, new_commitment_date=new_date)
        self.assertEqual(change.review_ids.rule_id, self.rule_change_head)
        change.review_ids.with_user(self.sales_head).action_approve()
        self.assertEqual(change.state, "applied")
        self.assertEqual(order.commitment_date, new_date)
        self.assertEqual(order.picking_ids.move_ids.date_deadline, new_date)
        self.assertIn("Delivery Date:", change.revision_id.diff)

    def test_apply_error_keeps_request_approved(self):
        order = self._confirmed_order()
        line = order.order_line[0]
        change = self._request(order, {line: {"new_qty": 1}})
        # Both valves leave the warehouse while the request waits.
        picking = order.picking_ids
        picking.move_ids.quantity = 2
        picking.move_ids.picked = True
        picking._action_done()
        change.review_ids.with_user(self.sales_head).action_approve()
        self.assertEqual(change.state, "approved")
        self.assertIn("cannot be decreased below the amount already delivered", change.apply_error)
        self.assertEqual(line.product_uom_qty, 2)
        self.assertEqual(order.policy_revision, 0)
        self.assertFalse(order.policy_revision_ids)

    def test_cancel_quotation_under_review_closes_reviews(self):
        order = self._make_order()
        order.with_user(self.salesman).action_submit_for_review()
        review = order.policy_review_ids
        self.assertEqual(review.state, "pending")
        change = self._cancel_request(order)
        change.action_submit()
        self.assertEqual(change.state, "applied")
        self.assertEqual(order.state, "cancel")
        self.assertEqual(review.state, "cancelled")
        self.assertEqual(order.approval_state, "draft")
        self.assertFalse(
            order.activity_ids.filtered(
                lambda a: a.activity_type_id
                == self.env.ref("sale_order_policy.mail_activity_type_policy_review")
            )
        )

    def test_visibility_of_requests_and_revisions(self):
        order = self._confirmed_order()
        change = self._request(order, {order.order_line[0]: {"new_qty": 5}})
        Change = self.env["sale.policy.change"]
        self.assertEqual(Change.with_user(self.salesman).search([("id", "=", change.id)]), change)
        self.assertFalse(Change.with_user(self.salesman_other).search([("id", "=", change.id)]))
        self.assertEqual(Change.with_user(self.sales_head).search([("id", "=", change.id)]), change)
        change.review_ids.filtered(lambda r: r.state == "pending").with_user(
            self.sales_head
        ).action_approve()
        # The finance reviewer sees the request they must decide.
        self.assertEqual(Change.with_user(self.finance).search([("id", "=", change.id)]), change)
        change.with_user(self.finance).action_approve()
        Revision = self.env["sale.policy.revision"]
        self.assertEqual(
            Revision.with_user(self.salesman).search([("order_id", "=", order.id)]),
            change.revision_id,
        )
        self.assertFalse(
            Revision.with_user(self.salesman_other).search([("order_id", "=", order.id)])
        )
