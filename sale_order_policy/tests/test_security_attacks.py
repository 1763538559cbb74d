"""Attacks on the sales order policy over real XML-RPC / JSON-RPC, as a salesperson and as
a portal customer.

`test_hole_*` tests reproduce holes found by the attack session: they assert the invariant
the module promises, so they FAIL until the hole is closed. `test_refused_*` tests are
attacks the module correctly refuses: they pass.
"""

import json

from odoo import Command
from odoo.tests import new_test_user, tagged

from .common_rpc import PolicyRpcHttpCase

# Engine fields the brief lists: nobody sets them outside the engine.
ENGINE_VALUES = {
    "approval_state": "approved",
    "policy_round": 7,
    "policy_submitted_on": "2025-01-01 00:00:00",
    "policy_approved_on": "2025-01-01 00:00:00",
    "policy_revision": 3,
    "policy_approved_content": {"header": {}, "lines": {}, "totals": {}},
}


@tagged("post_install", "-at_install")
class TestAttackRpc(PolicyRpcHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule_head = cls._make_rule("Sales Head", 10, reviewer_type="team_leader")
        cls.rule_finance = cls._make_rule(
            "Finance", 20, reviewer_user_ids=[Command.set(cls.finance.ids)]
        )
        cls.rule_change = cls._make_rule(
            "Change: Sales Head", 10, reviewer_type="team_leader", applies_to="change"
        )
        cls.rule_cancel = cls._make_rule(
            "Cancel: Sales Head", 10, reviewer_type="team_leader", applies_to="cancel"
        )
        cls.portal = cls.env["res.users"].create(
            {
                "name": "Portal Buyer",
                "login": "sop_att_portal",
                "password": "sop_att_portal",
                "email": "portal.buyer@example.com",
                "partner_id": cls.customer.id,
                "groups_id": [Command.set(cls.env.ref("base.group_portal").ids)],
            }
        )

    # -- helpers (transport and orders: PolicyRpcHttpCase) --------------------

    def assertRefusedOnce(self, user, model, method, *args, **kwargs):
        """One transport only: for attacks whose first success changes the state."""
        ok, message = self._xmlrpc(user, model, method, *args, **kwargs)
        self.assertFalse(ok, f"{user.login} {model}.{method}{args} was accepted: {message}")

    def assertNotEmailedToCustomer(self, ok, message_id):
        """The post was refused; when it was not, say how the customer was notified."""
        notified = self.env["mail.notification"].search(
            [
                ("mail_message_id", "=", message_id if ok else 0),
                ("res_partner_id", "=", self.customer.id),
            ]
        )
        self.assertFalse(
            ok,
            f"unapproved quotation e-mailed to the customer "
            f"({notified.mapped('notification_type')})",
        )

    def _moved_qty(self, order):
        moves = self.env["stock.move"].search([("sale_line_id.order_id", "=", order.id)])
        return sum(moves.mapped("product_uom_qty"))

    # ==========================================================================
    # HOLES (fail until fixed)
    # ==========================================================================

    def test_hole_downpayment_flag_line_added_after_approval(self):
        """Salesperson: a line flagged `is_downpayment` is left out of the approved
        content; at price 0 the totals do not move either. Added to an approved quotation it
        keeps the approval, and the order confirms and ships 50 unapproved units."""
        order = self._approved_order()
        ok, _line = self._xmlrpc(
            self.salesman,
            "sale.order.line",
            "create",
            {
                "order_id": order.id,
                "product_id": self.product.id,
                "product_uom_qty": 50,
                "price_unit": 0.0,
                "is_downpayment": True,
            },
        )
        self._xmlrpc(self.salesman, "sale.order", "action_confirm", [order.id])
        order.invalidate_recordset()
        self.assertFalse(
            ok and order.state == "sale" and order.approval_state == "approved",
            f"unapproved line confirmed: state={order.state}, approval={order.approval_state}, "
            f"{self._moved_qty(order)} units to deliver instead of the approved 2",
        )

    def test_hole_downpayment_flag_line_added_to_confirmed_order(self):
        """Salesperson: the same line added to a confirmed order is accepted (no change
        request) and sale_stock creates a delivery for it."""
        order = self._confirmed_order()
        ok, message = self._xmlrpc(
            self.salesman,
            "sale.order.line",
            "create",
            {
                "order_id": order.id,
                "product_id": self.product.id,
                "product_uom_qty": 7,
                "price_unit": 0.0,
                "is_downpayment": True,
            },
        )
        self.assertFalse(
            ok,
            f"line added to confirmed {order.name} without a change request "
            f"({self._moved_qty(order)} units now to deliver): {message}",
        )

    def test_hole_downpayment_line_removed_from_confirmed_order(self):
        """Salesperson: the unlink guard skips down-payment lines and no content
        comparison follows, so the approved total (350) of a confirmed order drops to 200."""
        order = self._make_order()
        self.env["sale.order.line"].with_user(self.salesman).create(
            {
                "order_id": order.id,
                "name": "Advance",
                "product_uom_qty": 1,
                "price_unit": 150.0,
                "is_downpayment": True,
            }
        )
        order.with_user(self.salesman).action_submit_for_review()
        for reviewer in (self.sales_head, self.finance):
            order.policy_review_ids.filtered(lambda r: r.state == "pending").with_user(
                reviewer
            ).action_approve()
        order.with_user(self.salesman).action_confirm()
        self.assertEqual((order.state, order.amount_total), ("sale", 350.0))
        down_payment = order.order_line.filtered("is_downpayment")
        ok, _result = self._xmlrpc(self.salesman, "sale.order.line", "unlink", down_payment.ids)
        order.invalidate_recordset()
        self.assertFalse(
            ok,
            f"confirmed {order.name} changed without a change request: total now "
            f"{order.amount_total}, approved 350",
        )

    def test_hole_confirmed_order_written_back_to_quotation(self):
        """Salesperson: `write({'state': 'draft'})` un-confirms an order (its delivery
        stays open); editing it then resets the approval and `write({'state': 'cancel'})`
        cancels it without the approved cancellation request."""
        order = self._confirmed_order()
        ok, message = self._xmlrpc(
            self.salesman, "sale.order", "write", [order.id], {"state": "draft"}
        )
        order.invalidate_recordset()
        if ok:
            self._xmlrpc(
                self.salesman,
                "sale.order",
                "write",
                [order.id],
                {"order_line": [Command.update(order.order_line[0].id, {"price_unit": 90.0})]},
            )
            self._xmlrpc(self.salesman, "sale.order", "write", [order.id], {"state": "cancel"})
            order.invalidate_recordset()
        self.assertFalse(
            ok,
            f"confirmed {order.name} set back to quotation by a write; it ended "
            f"{order.state} without a cancellation request (pickings: "
            f"{order.picking_ids.mapped('state')})",
        )

    def test_hole_change_line_moved_into_pending_request(self):
        """Salesperson: lines of a request under review are locked, but a line of a draft
        request can be moved into it (`write({'change_id': …})`); the reviewer approves the
        request and 500 free units are added to the confirmed order."""
        order = self._confirmed_order()
        action = self._ok(self.salesman, "sale.order", "action_policy_request_change", [order.id])
        pending = self.env["sale.policy.change"].browse(action["res_id"])
        self._ok(
            self.salesman, "sale.policy.change.line", "write", pending.line_ids.ids, {"new_qty": 3}
        )
        self._ok(
            self.salesman,
            "sale.policy.change",
            "write",
            [pending.id],
            {"reason": "customer wants 3", "customer_confirmation_method": "email"},
        )
        self._ok(self.salesman, "sale.policy.change", "action_submit", [pending.id])
        self.assertEqual(pending.state, "pending")
        # Editing the pending request directly is refused...
        self.assertRefused(
            self.salesman, "sale.policy.change.line", "write", pending.line_ids.ids, {"new_qty": 30}
        )
        # ... but a line of a draft request slips in.
        draft = self._ok(
            self.salesman,
            "sale.policy.change",
            "create",
            {"order_id": order.id, "change_type": "amend", "line_ids": []},
        )
        line = self._ok(
            self.salesman,
            "sale.policy.change.line",
            "create",
            {
                "change_id": draft,
                "product_id": self.product_no_stock.id,
                "new_qty": 500,
                "new_price_unit": 0.0,
            },
        )
        ok, _result = self._xmlrpc(
            self.salesman, "sale.policy.change.line", "write", [line], {"change_id": pending.id}
        )
        if ok:
            review = pending.review_ids.filtered(lambda r: r.state == "pending")
            review.with_user(self.sales_head).action_approve()
        self.assertFalse(
            ok,
            f"request {pending.name} changed under review; applied lines: "
            f"{[(line.product_id.name, line.product_uom_qty) for line in order.order_line]}",
        )

    def _block_email(self):
        self.company.sale_policy_block_unapproved_email = True

    def test_hole_unapproved_quotation_sent_as_note_to_customer(self):
        """Salesperson: `message_post` with subtype mail.mt_note skips the check, but
        partners named in `partner_ids` are notified by e-mail all the same."""
        self._block_email()
        order = self._make_order()
        # The check itself works for a comment.
        self.assertRefused(
            self.salesman,
            "sale.order",
            "message_post",
            [order.id],
            body="Your quotation",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=self.customer.ids,
        )
        ok, message_id = self._xmlrpc(
            self.salesman,
            "sale.order",
            "message_post",
            [order.id],
            body="Your quotation",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
            partner_ids=self.customer.ids,
        )
        self.assertNotEmailedToCustomer(ok, message_id)

    def test_hole_unapproved_quotation_sent_to_customer_follower(self):
        """Salesperson: subscribe the customer, then post a comment without partner_ids:
        the check looks at partner_ids only, the followers get the e-mail."""
        self._block_email()
        order = self._make_order()
        self._ok(
            self.salesman,
            "sale.order",
            "message_subscribe",
            [order.id],
            partner_ids=self.customer.ids,
        )
        ok, message_id = self._xmlrpc(
            self.salesman,
            "sale.order",
            "message_post",
            [order.id],
            body="Your quotation",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        self.assertNotEmailedToCustomer(ok, message_id)

    def test_hole_unapproved_quotation_sent_by_mass_mail_composer(self):
        """Salesperson: the composer in comment mode is refused, in mass_mail mode it
        creates the mail.mail directly (no message_post) with the quotation template."""
        self._block_email()
        order = self._make_order()
        template = self.env.ref("sale.email_template_edi_sale")
        comment = self._ok(
            self.salesman,
            "mail.compose.message",
            "create",
            {
                "composition_mode": "comment",
                "model": "sale.order",
                "res_ids": str([order.id]),
                "template_id": template.id,
            },
        )
        self.assertRefusedOnce(self.salesman, "mail.compose.message", "action_send_mail", [comment])
        composer = self._ok(
            self.salesman,
            "mail.compose.message",
            "create",
            {
                "composition_mode": "mass_mail",
                "model": "sale.order",
                "res_ids": str([order.id]),
                "template_id": template.id,
            },
        )
        self.assertRefusedOnce(
            self.salesman, "mail.compose.message", "action_send_mail", [composer]
        )

    def test_hole_portal_reads_engine_fields(self):
        """Portal customer: the engine fields round, submission and approval times,
        revision and cancellation reason are readable over RPC (only the approval status
        is meant for the customer)."""
        order = self._confirmed_order()
        leaked = {}
        for fname in (
            "policy_round",
            "policy_submitted_on",
            "policy_approved_on",
            "policy_revision",
            "policy_cancel_reason_id",
            "policy_confirmed_on",
            "policy_handoff_pending",
        ):
            ok, result = self._xmlrpc(self.portal, "sale.order", "read", [order.id], [fname])
            if ok:
                leaked[fname] = result[0][fname]
        self.assertFalse(leaked, f"portal user read internal policy fields: {leaked}")

    # ==========================================================================
    # REFUSED ATTACKS (pass)
    # ==========================================================================

    def test_refused_engine_fields_forged_on_create_write_copy_defaults(self):
        order = self._make_order()
        base = {"partner_id": self.customer.id, "user_id": self.salesman.id}
        for fname, value in ENGINE_VALUES.items():
            self.assertRefused(self.salesman, "sale.order", "create", {**base, fname: value})
            self.assertRefused(self.salesman, "sale.order", "write", [order.id], {fname: value})
            self.assertRefused(
                self.salesman, "sale.order", "copy", [order.id], default={fname: value}
            )
            self.assertRefused(
                self.salesman,
                "sale.order",
                "web_save",
                [order.id],
                {fname: value},
                specification={},
            )
        self.assertRefused(
            self.salesman,
            "sale.order",
            "write",
            [order.id],
            {"policy_party_user_ids": [Command.clear()]},
        )
        self.assertRefused(
            self.salesman,
            "sale.order",
            "write",
            [order.id],
            {"policy_reader_user_ids": [Command.link(self.salesman_other.id)]},
        )
        self.assertRefused(self.salesman, "sale.order", "create", {**base, "state": "sale"})
        # load reports errors in its result instead of raising.
        ok, result = self._xmlrpc(
            self.salesman,
            "sale.order",
            "load",
            ["partner_id/.id", "approval_state"],
            [[str(self.customer.id), "approved"]],
        )
        self.assertFalse(ok and result.get("ids"), f"load forged an approval: {result}")
        # Context defaults and user defaults (ir.default).
        context = {
            "default_approval_state": "approved",
            "default_policy_round": 3,
            "default_state": "sale",
        }
        ok, new_id = self._xmlrpc(self.salesman, "sale.order", "create", base, context=context)
        if ok:
            created = self.env["sale.order"].browse(new_id)
            self.assertEqual(
                (created.approval_state, created.policy_round, created.state), ("draft", 0, "draft")
            )
        self._xmlrpc(
            self.salesman, "ir.default", "set", "sale.order", "approval_state", "approved", True
        )
        ok, new_id = self._xmlrpc(self.salesman, "sale.order", "create", base)
        self.assertTrue(ok)
        self.assertEqual(self.env["sale.order"].browse(new_id).approval_state, "draft")
        # copy of an approved order starts over.
        approved = self._approved_order()
        copy_id = self._ok(self.salesman, "sale.order", "copy", [approved.id])
        self.assertEqual(self.env["sale.order"].browse(copy_id).approval_state, "draft")

    def test_refused_gate_and_private_methods(self):
        order = self._make_order()
        self.assertRefused(self.salesman, "sale.order", "action_confirm", [order.id])
        self.assertRefused(self.salesman, "sale.order", "write", [order.id], {"state": "sale"})
        for method in ("_policy_on_approved", "_action_confirm", "_policy_store_approved_content"):
            self.assertRefused(self.salesman, "sale.order", method, [order.id])
        self.assertRefused(
            self.salesman,
            "sale.policy.review",
            "_demo_decide",
            order.id,
            self.salesman.id,
            "approved",
        )
        # Down payment wizard on an unapproved quotation.
        wizard = self._ok(
            self.salesman,
            "sale.advance.payment.inv",
            "create",
            {
                "advance_payment_method": "percentage",
                "amount": 10,
                "sale_order_ids": [Command.set(order.ids)],
            },
            context={"active_model": "sale.order", "active_ids": order.ids},
        )
        self.assertRefused(
            self.salesman,
            "sale.advance.payment.inv",
            "create_invoices",
            [wizard],
            context={"active_model": "sale.order", "active_ids": order.ids},
        )
        order.invalidate_recordset()
        self.assertEqual((order.state, order.approval_state), ("draft", "draft"))
        self.assertFalse(order.invoice_ids)

    def test_refused_changes_after_approval_reset(self):
        tax = self.env["account.tax"].create(
            {"name": "VAT 13%", "amount": 13.0, "type_tax_use": "sale"}
        )
        paths = [
            (
                "Command.update price",
                lambda o: (
                    "sale.order",
                    "write",
                    [o.id],
                    {"order_line": [Command.update(o.order_line[0].id, {"price_unit": 1.0})]},
                ),
            ),
            (
                "line discount",
                lambda o: ("sale.order.line", "write", o.order_line.ids, {"discount": 50}),
            ),
            (
                "Command.create line",
                lambda o: (
                    "sale.order",
                    "write",
                    [o.id],
                    {
                        "order_line": [
                            Command.create({"product_id": self.service.id, "price_unit": 1.0})
                        ]
                    },
                ),
            ),
            (
                "Command.set lines",
                lambda o: ("sale.order", "write", [o.id], {"order_line": [Command.set([])]}),
            ),
            (
                "tax",
                lambda o: (
                    "sale.order.line",
                    "write",
                    o.order_line.ids,
                    {"tax_id": [Command.set(tax.ids)]},
                ),
            ),
            (
                "commitment date",
                lambda o: (
                    "sale.order",
                    "write",
                    [o.id],
                    {"commitment_date": "2030-01-01 00:00:00"},
                ),
            ),
            (
                "salesperson",
                lambda o: ("sale.order", "write", [o.id], {"user_id": self.salesman_other.id}),
            ),
        ]
        for label, make in paths:
            order = self._approved_order()
            model, method, *args = make(order)
            ok, _result = self._xmlrpc(self.salesman, model, method, *args)
            order.invalidate_recordset()
            # Refused (e.g. the order would leave the salesperson's reach) or reset.
            self.assertEqual(
                order.approval_state, "draft" if ok else "approved", f"{label}: approval kept"
            )
            if ok:
                self.assertRefusedOnce(self.salesman, "sale.order", "action_confirm", [order.id])
        # A line moved in from another quotation.
        order, other = self._approved_order(), self._make_order()
        self._xmlrpc(
            self.salesman, "sale.order.line", "write", other.order_line.ids, {"order_id": order.id}
        )
        order.invalidate_recordset()
        self.assertEqual(order.approval_state, "draft")
        # A line created with the order in the context defaults.
        order = self._approved_order()
        self._xmlrpc(
            self.salesman,
            "sale.order.line",
            "create",
            {"product_id": self.service.id, "price_unit": 5.0},
            context={"default_order_id": order.id},
        )
        order.invalidate_recordset()
        self.assertEqual(order.approval_state, "draft")
        # Product price raised, then prices updated from the pricelist.
        order = self._approved_order()
        self.product.list_price = 300.0
        self._xmlrpc(self.salesman, "sale.order", "action_update_prices", [order.id])
        order.invalidate_recordset()
        self.assertEqual(order.approval_state, "draft")

    def test_refused_changes_under_review_and_on_confirmed_orders(self):
        pending = self._make_order()
        pending.with_user(self.salesman).action_submit_for_review()
        fiscal = self.env["account.fiscal.position"].create({"name": "Export"})
        for order in (pending, self._confirmed_order()):
            line = order.order_line[0]
            self.assertRefused(
                self.salesman, "sale.order.line", "write", line.ids, {"product_uom_qty": 9}
            )
            self.assertRefused(
                self.salesman,
                "sale.order",
                "write",
                [order.id],
                {"order_line": [Command.update(line.id, {"price_unit": 1.0})]},
            )
            self.assertRefused(
                self.salesman,
                "sale.order",
                "write",
                [order.id],
                {
                    "order_line": [
                        Command.create({"product_id": self.product.id, "price_unit": 1.0})
                    ]
                },
            )
            self.assertRefused(self.salesman, "sale.order.line", "unlink", line.ids)
            self.assertRefused(
                self.salesman, "sale.order", "write", [order.id], {"fiscal_position_id": fiscal.id}
            )
            self.assertRefused(
                self.salesman,
                "sale.order",
                "write",
                [order.id],
                {"partner_shipping_id": self.salesman.partner_id.id},
            )
            self.assertRefused(
                self.salesman,
                "sale.order.line",
                "copy",
                line.ids,
                default={"order_id": order.id, "price_unit": 0.5},
            )
            self.product.list_price = 500.0
            self.assertRefused(self.salesman, "sale.order", "action_update_prices", [order.id])
            self.product.list_price = 100.0
            order.invalidate_recordset()
            self.assertEqual(line.product_uom_qty, 2)
        self.assertEqual(pending.approval_state, "pending")

    def test_refused_review_and_log_tampering(self):
        order = self._make_order()
        order.with_user(self.salesman).action_submit_for_review()
        head = order.policy_review_ids.filtered(lambda r: r.rule_id == self.rule_head)
        finance = order.policy_review_ids.filtered(lambda r: r.rule_id == self.rule_finance)
        log = order.policy_log_ids[:1]
        for user in (self.salesman, self.admin):
            for command in (
                Command.delete(log.id),
                Command.unlink(log.id),
                Command.update(log.id, {"comment": "rewritten"}),
                Command.clear(),
            ):
                self.assertRefused(
                    user, "sale.order", "write", [order.id], {"policy_log_ids": [command]}
                )
            self.assertRefused(
                user,
                "sale.order",
                "write",
                [order.id],
                {"policy_review_ids": [Command.update(head.id, {"state": "approved"})]},
            )
            self.assertRefused(
                user,
                "sale.order",
                "write",
                [order.id],
                {"policy_review_ids": [Command.create({"rule_id": self.rule_head.id})]},
            )
            self.assertRefused(user, "sale.policy.log", "copy", log.ids)
            self.assertRefused(
                user, "sale.policy.review", "copy", head.ids, default={"state": "approved"}
            )
        # Skipping the tier, deciding one's own order, deciding twice, a cancelled step.
        self.assertRefused(self.finance, "sale.policy.review", "action_approve", finance.ids)
        self.assertRefused(self.salesman, "sale.policy.review", "action_approve", head.ids)
        self.assertRefused(self.salesman_other, "sale.policy.review", "action_approve", head.ids)
        self._ok(self.sales_head, "sale.policy.review", "action_reject", head.ids, "too cheap")
        self.assertRefused(self.sales_head, "sale.policy.review", "action_approve", head.ids)
        finance.invalidate_recordset()
        self.assertEqual(finance.state, "cancelled")
        self.assertRefused(self.finance, "sale.policy.review", "action_approve", finance.ids)
        order.invalidate_recordset()
        self.assertEqual(order.approval_state, "rejected")
        self.assertTrue(log.exists())
        self.assertFalse(log.comment == "rewritten")

    def test_refused_delegation_abuse(self):
        order = self._make_order()
        order.with_user(self.salesman).action_submit_for_review()
        head = order.policy_review_ids.filtered(lambda r: r.state == "pending")
        past = "2000-01-01"
        # Delegating someone else's reviews, or to oneself.
        self.assertRefused(
            self.salesman,
            "sale.policy.delegation",
            "create",
            {
                "user_id": self.sales_head.id,
                "delegate_id": self.salesman.id,
                "date_to": "2999-01-01",
            },
        )
        self.assertRefused(
            self.sales_head,
            "sale.policy.delegation",
            "create",
            {"delegate_id": self.sales_head.id, "date_to": "2999-01-01"},
        )
        own = self._ok(
            self.salesman,
            "sale.policy.delegation",
            "create",
            {"delegate_id": self.salesman_other.id, "date_to": "2999-01-01"},
        )
        self.assertRefused(
            self.salesman, "sale.policy.delegation", "write", [own], {"user_id": self.sales_head.id}
        )
        # The head delegates to the order's salesperson: still their own order.
        self._ok(
            self.sales_head,
            "sale.policy.delegation",
            "create",
            {"delegate_id": self.salesman.id, "date_to": "2999-01-01"},
        )
        self.assertRefused(self.salesman, "sale.policy.review", "action_approve", head.ids)
        # A delegation that has expired, or has not started, decides nothing.
        self._ok(
            self.sales_head,
            "sale.policy.delegation",
            "create",
            {
                "delegate_id": self.salesman_other.id,
                "date_from": "2999-01-01",
                "date_to": "2999-12-31",
            },
        )
        self._ok(
            self.sales_head,
            "sale.policy.delegation",
            "create",
            {"delegate_id": self.salesman_other.id, "date_from": past, "date_to": "2000-01-02"},
        )
        self.assertRefused(self.salesman_other, "sale.policy.review", "action_approve", head.ids)
        head.invalidate_recordset()
        self.assertEqual(head.state, "pending")

    def test_refused_change_request_tampering(self):
        order, other = self._confirmed_order(), self._confirmed_order()
        change = self._ok(
            self.salesman,
            "sale.policy.change",
            "create",
            {"order_id": order.id, "change_type": "amend", "line_ids": []},
        )
        # A line of another order, an engine state, a move to another order.
        self.assertRefused(
            self.salesman,
            "sale.policy.change.line",
            "create",
            {"change_id": change, "sale_line_id": other.order_line[0].id, "new_qty": 0},
        )
        self.assertRefused(
            self.salesman,
            "sale.policy.change",
            "create",
            {"order_id": order.id, "state": "approved"},
        )
        self.assertRefused(
            self.salesman, "sale.policy.change", "write", [change], {"state": "approved"}
        )
        self.assertRefused(
            self.salesman, "sale.policy.change", "write", [change], {"order_id": other.id}
        )
        self.assertRefused(self.salesman, "sale.policy.change", "action_apply", [change])
        # The second salesperson cannot open a request on an order they do not own.
        self.assertRefused(
            self.salesman_other,
            "sale.policy.change",
            "create",
            {"order_id": order.id, "change_type": "amend"},
        )
        # Cancellation of a confirmed order needs an approved request.
        self.assertRefused(self.salesman, "sale.order", "write", [order.id], {"state": "cancel"})
        ok, result = self._xmlrpc(self.salesman, "sale.order", "action_cancel", [order.id])
        order.invalidate_recordset()
        self.assertEqual(order.state, "sale")

    def test_refused_portal_customer(self):
        order = self._approved_order()
        draft = self._make_order()
        for target in (order, draft):
            self.assertRefused(self.portal, "sale.order", "action_confirm", [target.id])
            self.assertRefused(self.portal, "sale.order", "action_submit_for_review", [target.id])
            self.assertRefused(
                self.portal, "sale.order", "write", [target.id], {"approval_state": "approved"}
            )
            for fname in (
                "policy_approved_content",
                "policy_party_user_ids",
                "policy_reader_user_ids",
                "policy_review_ids",
                "policy_log_ids",
                "policy_check_ids",
                "policy_pending_step",
                "policy_check_result",
            ):
                self.assertRefused(self.portal, "sale.order", "read", [target.id], [fname])
        for model in (
            "sale.policy.review",
            "sale.policy.log",
            "sale.policy.check",
            "sale.policy.change",
            "sale.policy.revision",
        ):
            self.assertRefused(self.portal, model, "search_read", [], fields=["id"])
        self.authenticate("sop_att_portal", "sop_att_portal")
        for converter in ("pdf", "html"):
            response = self.url_open(
                f"/report/{converter}/sale_order_policy.report_approval_sheet/{order.id}"
            )
            self.assertNotEqual(response.status_code, 200, f"approval sheet rendered ({converter})")
        # Signing an unapproved quotation on the portal sends it to review.
        draft._portal_ensure_token()
        draft.require_signature = True
        draft.require_payment = False
        self.url_open(
            f"/my/orders/{draft.id}/accept?access_token={draft.access_token}",
            data=json.dumps(
                {
                    "params": {
                        "name": "Client",
                        "signature": "R0lGODlhAQABAIAAAP///wAAACwAAAAAAQABAAACAkQBADs=",
                    }
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        draft.invalidate_recordset()
        self.assertEqual(draft.state, "draft")
        self.assertEqual(draft.approval_state, "pending")

    def test_refused_portal_share_wizard_and_note_subtype_id(self):
        """Salesperson with Contact Creation: the share wizard's invitation goes through
        message_post_with_source, which passes the note subtype as `subtype_id`: checked,
        refused. A note given by `subtype_id` over RPC is refused the same way."""
        self._block_email()
        sharer = new_test_user(
            self.env,
            "sop_att_sharer",
            groups="base.group_user,sales_team.group_sale_salesman,base.group_partner_manager",
        )
        order = self._make_order(user=sharer)
        wizard = self._ok(
            sharer,
            "portal.share",
            "create",
            {
                "res_model": "sale.order",
                "res_id": order.id,
                "partner_ids": [Command.set(self.customer.ids)],
            },
        )
        self.assertRefusedOnce(sharer, "portal.share", "action_send_mail", [wizard])
        self.assertRefused(
            sharer,
            "sale.order",
            "message_post",
            [order.id],
            body="Your quotation",
            message_type="comment",
            subtype_id=self.env.ref("mail.mt_note").id,
            partner_ids=self.customer.ids,
        )
        self.assertRefused(sharer, "sale.order", "action_quotation_send", [order.id])
        self.assertRefused(
            sharer,
            "sale.order",
            "message_notify",
            [order.id],
            body="Your quotation",
            partner_ids=self.customer.ids,
        )

    def test_refused_other_salesperson(self):
        order = self._make_order()
        order.with_user(self.salesman).action_submit_for_review()
        for model in (
            "sale.policy.review",
            "sale.policy.log",
            "sale.policy.check",
            "sale.policy.change",
        ):
            ok, result = self._xmlrpc(
                self.salesman_other,
                model,
                "search_read",
                [("order_id", "=", order.id)],
                fields=["id"],
            )
            self.assertEqual(result, [] if ok else result)
        self.assertRefused(self.salesman_other, "sale.order", "read", [order.id], ["name"])
        self.assertRefused(self.salesman_other, "sale.order", "write", [order.id], {"note": "x"})
        self.assertRefused(
            self.salesman_other,
            "sale.order.line",
            "write",
            order.order_line.ids,
            {"order_id": order.id},
        )
