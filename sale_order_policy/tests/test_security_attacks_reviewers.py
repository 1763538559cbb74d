"""Second attack round over real XML-RPC / JSON-RPC: reviewers' read access to the whole
order, the decision dialog, engine-owned review activities, delegations and the
approved-content invariant; as a salesperson, as finance / warehouse / general manager
reviewers outside Sales, as a plain employee and as a portal customer.

`test_hole_*` tests reproduce holes: they assert the invariant the module promises, so they
FAIL until the hole is closed. `test_refused_*` tests are attacks the module refuses: they
pass.
"""

from odoo import Command
from odoo.tests import new_test_user, tagged

from .common_rpc import PolicyRpcCase


@tagged("post_install", "-at_install")
class TestAttackRpc2(PolicyRpcCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # PolicyRpcCase: head (team leader) at 10, then finance (finance | salesman) at 20.
        cls.employee = new_test_user(cls.env, "sop_att2_employee", groups="base.group_user")
        cls.portal = cls.env["res.users"].create(
            {
                "name": "Portal Buyer 2",
                "login": "sop_att2_portal",
                "password": "sop_att2_portal",
                "email": "portal.buyer2@example.com",
                "partner_id": cls.customer.id,
                "groups_id": [Command.set(cls.env.ref("base.group_portal").ids)],
            }
        )
        cls.review_type = cls.env.ref("sale_order_policy.mail_activity_type_policy_review")

    # -- helpers ---------------------------------------------------------------

    def _call(self, user, model, method, *args, **kwargs):
        """One JSON-RPC call (a method returning None is a success there, not a fault)."""
        return self._jsonrpc(user, model, method, *args, **kwargs)

    def _add_option(self, order):
        return self.env["sale.order.option"].create(
            {
                "order_id": order.id,
                "product_id": self.service.id,
                "name": "Secret option",
                "quantity": 1,
                "price_unit": 777.0,
                "uom_id": self.service.uom_id.id,
            }
        )

    def _readable(self, user, model, ids, fnames):
        """The rows `user` reads (both transports must agree); [] when refused."""
        rows = []
        for ok, result in self._both(user, model, "read", ids, fnames):
            self.assertNotEqual(result, "Access Denied", f"{user.login} could not log in")
            if ok:
                rows = rows or result
        return rows

    def _company_b_order(self, confirmed=False):
        """An order of a second company (policy off there), with an optional product."""
        company_b = self.env["res.company"].create({"name": "Att2 Branch B"})
        env = self.env(context={"allowed_company_ids": [company_b.id]})
        warehouse = env["stock.warehouse"].search([("company_id", "=", company_b.id)], limit=1)
        order = (
            env["sale.order"]
            .sudo()
            .create(
                {
                    "partner_id": self.customer.id,
                    "company_id": company_b.id,
                    "warehouse_id": warehouse.id,
                    "order_line": [
                        Command.create(
                            {"product_id": self.service.id, "product_uom_qty": 3, "price_unit": 9}
                        )
                    ],
                }
            )
        )
        option = self._add_option(order)
        if confirmed:
            order.write({"state": "sale"})
        return order, option

    # ==========================================================================
    # HOLES (fail until fixed)
    # ==========================================================================

    def test_hole_general_manager_reads_options_of_other_company(self):
        """General manager of company A only: `sale.order.option` has no multi-company
        rule (Odoo has none) and the module's GM rule is `[(1, '=', 1)]`, so the optional
        products (product, price, description) of company B's orders are readable, though
        the README grants the GM "all orders of their companies" only."""
        order_b, option_b = self._company_b_order()
        # Control: the order and its lines of company B are out of reach.
        self.assertFalse(self._readable(self.gm, "sale.order", order_b.ids, ["name"]))
        self.assertFalse(
            self._readable(self.gm, "sale.order.line", order_b.order_line.ids, ["price_unit"])
        )
        leaked = self._readable(
            self.gm, "sale.order.option", option_b.ids, ["order_id", "name", "price_unit"]
        )
        ok, found = self._xmlrpc(
            self.gm, "sale.order.option", "search_read", [("id", "=", option_b.id)], fields=["id"]
        )
        self.assertFalse(
            leaked or (ok and found),
            f"GM of company A read company B's option: {leaked or found}",
        )

    def test_hole_finance_reads_options_of_other_company(self):
        """Finance reviewer of company A only: the "finance reads confirmed orders" rule on
        options has no company condition either; company B's confirmed orders leak their
        optional products."""
        order_b, option_b = self._company_b_order(confirmed=True)
        self.assertFalse(self._readable(self.finance, "sale.order", order_b.ids, ["name"]))
        leaked = self._readable(
            self.finance, "sale.order.option", option_b.ids, ["order_id", "name", "price_unit"]
        )
        self.assertFalse(leaked, f"finance of company A read company B's option: {leaked}")

    def test_hole_decision_summary_leaks_unreadable_order(self):
        """Warehouse reviewer (not a reviewer of the order, no sales rights), or any
        employee: the decision dialog's `summary` is computed in sudo from whatever
        `review_ids` holds. Given the id of any review (ids are sequential), `onchange` /
        `web_save` render the order's number, customer, total and check messages for an
        order the user cannot read (a plain `create` then `read` filters them: safe)."""
        order = self._submitted()
        review = self._pending_review(order)
        self.assertFalse(self._readable(self.warehouse, "sale.order", order.ids, ["name"]))
        self.assertFalse(
            self._readable(self.warehouse, "sale.policy.review", review.ids, ["order_id"])
        )
        secrets = (order.name, self.customer.name)
        leaks = {}
        # 1. onchange on a new dialog.
        ok, result = self._xmlrpc(
            self.warehouse,
            "sale.policy.decision",
            "onchange",
            [],
            {"review_ids": [Command.set(review.ids)], "decision": "approve"},
            ["review_ids"],
            {"summary": {}, "review_ids": {}, "decision": {}},
        )
        if ok and any(s in str(result) for s in secrets):
            leaks["onchange"] = result.get("value", {}).get("summary")
        # ... and the same for a plain employee (the dialog's ACL is base.group_user).
        ok, result = self._xmlrpc(
            self.employee,
            "sale.policy.decision",
            "onchange",
            [],
            {"review_ids": [Command.set(review.ids)], "decision": "approve"},
            ["review_ids"],
            {"summary": {}, "review_ids": {}, "decision": {}},
        )
        if ok and any(s in str(result) for s in secrets):
            leaks["onchange (employee)"] = result.get("value", {}).get("summary")
        # 2. web_save creating the dialog, reading the summary back in the same call.
        ok, result = self._xmlrpc(
            self.warehouse,
            "sale.policy.decision",
            "web_save",
            [],
            {"review_ids": [Command.set(review.ids)], "decision": "approve"},
            specification={"summary": {}},
        )
        if ok and any(s in str(result) for s in secrets):
            leaks["web_save"] = result
        # 3. create, then read in another call.
        ok, wizard_id = self._xmlrpc(
            self.warehouse,
            "sale.policy.decision",
            "create",
            {"review_ids": [Command.set(review.ids)], "decision": "approve"},
        )
        if ok:
            ok, result = self._xmlrpc(
                self.warehouse, "sale.policy.decision", "read", [wizard_id], ["summary"]
            )
            if ok and any(s in str(result) for s in secrets):
                leaks["create+read"] = result
        self.assertFalse(leaks, f"order {order.name} of a customer leaked to warehouse: {leaks}")

    def test_hole_future_or_expired_delegation_reads_reviews(self):
        """Warehouse reviewer named substitute by the sales head for a delegation that has
        not started (or has ended): the review rule follows
        `reviewer_user_ids.sale_policy_delegation_ids.delegate_id` without dates or company,
        so every review of the head, with the order's customer, salesperson and total
        (related fields, read in sudo), is readable; and through the decision dialog the
        check messages too. The order itself is correctly out of reach."""
        order = self._submitted()
        review = self._pending_review(order)
        for date_from, date_to in (("2999-01-01", "2999-12-31"), ("2000-01-01", "2000-01-31")):
            with self.subTest(date_from=date_from):
                delegation = (
                    self.env["sale.policy.delegation"]
                    .with_user(self.sales_head)
                    .create(
                        {
                            "delegate_id": self.warehouse.id,
                            "date_from": date_from,
                            "date_to": date_to,
                        }
                    )
                )
                self.assertFalse(
                    self._readable(self.warehouse, "sale.order", order.ids, ["name"]),
                    "control: the order itself is not readable",
                )
                leaked = self._readable(
                    self.warehouse,
                    "sale.policy.review",
                    review.ids,
                    ["order_id", "partner_id", "salesperson_id", "order_amount_total"],
                )
                ok, wizard_id = self._xmlrpc(
                    self.warehouse,
                    "sale.policy.decision",
                    "create",
                    {"review_ids": [Command.set(review.ids)]},
                )
                summary = ok and self._ok_read_summary(wizard_id)
                delegation.unlink()
                self.assertFalse(
                    leaked or (summary and order.name in summary),
                    f"delegation {date_from}..{date_to} (not in force) let warehouse read "
                    f"{leaked} / {summary}",
                )

    def _ok_read_summary(self, wizard_id):
        ok, result = self._xmlrpc(
            self.warehouse, "sale.policy.decision", "read", [wizard_id], ["summary"]
        )
        return ok and (result[0]["summary"] or "")

    def test_hole_decision_dialog_of_another_user_readable_and_writable(self):
        """Any employee (here the warehouse reviewer): `sale.policy.decision` has an ACL for
        base.group_user and no record rule, and Odoo 18 puts no owner restriction on
        transient records, so the dialogs other reviewers have saved are listed, their
        opinions (comment) read and their decision/comment rewritten. Low impact (the dialog
        lives between `web_save` and `action_decide`), but an opinion on an order the user
        cannot read leaks."""
        order = self._submitted()
        review = self._pending_review(order)
        wizard = (
            self.env["sale.policy.decision"]
            .with_user(self.sales_head)
            .create(
                {
                    "review_ids": [Command.set(review.ids)],
                    "decision": "approve",
                    "comment": "confidential: customer is close to insolvency",
                }
            )
        )
        ok, found = self._call(
            self.warehouse,
            "sale.policy.decision",
            "search_read",
            [("id", "=", wizard.id)],
            fields=["comment", "decision"],
        )
        read = ok and found
        ok_write, _result = self._call(
            self.warehouse,
            "sale.policy.decision",
            "write",
            wizard.ids,
            {"decision": "reject", "comment": "forged"},
        )
        wizard.invalidate_recordset()
        self.assertFalse(
            read or ok_write,
            f"another user's dialog read ({read}) / rewritten ({wizard.decision}, "
            f"{wizard.comment!r})",
        )

    # ==========================================================================
    # REFUSED ATTACKS (pass)
    # ==========================================================================

    def test_refused_reviewer_reads_only_and_only_orders_reviewed(self):
        order = self._submitted()
        option = self._add_option(order)
        lines = order.order_line
        other = self._make_order()  # a quotation nobody reviews
        other_option = self._add_option(other)
        # Before the finance step opens: neither finance nor warehouse reads anything.
        for user in (self.finance, self.warehouse):
            self.assertFalse(self._readable(user, "sale.order", order.ids, ["name"]))
            self.assertFalse(self._readable(user, "sale.order.line", lines.ids, ["price_unit"]))
            self.assertFalse(self._readable(user, "sale.order.option", option.ids, ["name"]))
        self._pending_review(order).with_user(self.sales_head).action_approve("ok")
        # Finance reviews now: the whole order, read-only.
        self.assertTrue(self._readable(self.finance, "sale.order", order.ids, ["name"]))
        self.assertTrue(self._readable(self.finance, "sale.order.line", lines.ids, ["price_unit"]))
        self.assertTrue(self._readable(self.finance, "sale.order.option", option.ids, ["name"]))
        # ... but not the quotation it does not review, nor the warehouse reviewer.
        for user in (self.finance, self.warehouse):
            self.assertFalse(self._readable(user, "sale.order", other.ids, ["name"]))
            self.assertFalse(
                self._readable(user, "sale.order.line", other.order_line.ids, ["name"])
            )
            self.assertFalse(self._readable(user, "sale.order.option", other_option.ids, ["name"]))
            ok, found = self._xmlrpc(
                user, "sale.order.option", "search_read", [("order_id", "=", other.id)]
            )
            self.assertFalse(ok and found)
        # No write, create or unlink anywhere for the reviewers, the GM included.
        template = self.env["sale.order.template"].create({"name": "Tpl"})
        tag = self.env["crm.tag"].create({"name": "Att2 tag"})
        for user in (self.finance, self.gm):
            self.assertRefused(user, "sale.order", "write", order.ids, {"note": "x"})
            self.assertRefused(user, "sale.order.line", "write", lines.ids, {"price_unit": 1.0})
            self.assertRefused(
                user,
                "sale.order.line",
                "create",
                {"order_id": order.id, "product_id": self.service.id, "price_unit": 1},
            )
            self.assertRefused(user, "sale.order.line", "unlink", lines.ids)
            self.assertRefused(user, "sale.order.option", "write", option.ids, {"price_unit": 1})
            self.assertRefused(
                user,
                "sale.order.option",
                "create",
                {"order_id": order.id, "product_id": self.service.id, "name": "x"},
            )
            self.assertRefused(user, "sale.order.option", "unlink", option.ids)
            self.assertRefused(user, "sale.order.option", "button_add_to_order", option.ids)
            self.assertRefused(user, "sale.order.template", "write", template.ids, {"name": "y"})
            self.assertRefused(user, "sale.order.template", "create", {"name": "z"})
            self.assertRefused(user, "crm.tag", "write", tag.ids, {"name": "y"})
            self.assertRefused(user, "crm.tag", "unlink", tag.ids)
        order.invalidate_recordset()
        self.assertEqual((order.approval_state, lines.price_unit), ("pending", 100.0))

    def test_refused_reviewers_cannot_touch_pickings(self):
        order = self._confirmed_order()
        picking = order.picking_ids
        self.assertTrue(picking)
        for user in (self.finance, self.warehouse, self.gm):
            self.assertTrue(self._readable(user, "stock.picking", picking.ids, ["state"]))
            self.assertRefused(user, "stock.picking", "write", picking.ids, {"origin": "x"})
            self.assertRefused(user, "stock.picking", "button_validate", picking.ids)
            self.assertRefused(user, "stock.picking", "action_cancel", picking.ids)
            self.assertRefused(
                user, "stock.move", "write", picking.move_ids.ids, {"product_uom_qty": 500}
            )
            self.assertRefused(user, "stock.move", "unlink", picking.move_ids.ids)
        picking.invalidate_recordset()
        self.assertNotIn(picking.state, ("done", "cancel"))

    def test_refused_grants_do_not_reach_portal_or_employees(self):
        order = self._confirmed_order()
        option = self._add_option(self._make_order())
        template = self.env["sale.order.template"].create({"name": "Tpl"})
        targets = [
            ("sale.order.option", option.ids),
            ("sale.order.template", template.ids),
            ("stock.picking", order.picking_ids.ids),
            ("stock.move", order.picking_ids.move_ids.ids),
            ("sale.order", order.ids),
            ("sale.order.line", order.order_line.ids),
        ]
        for user in (self.employee, self.portal):
            for model, ids in targets:
                if user == self.portal and model in (
                    "sale.order",
                    "sale.order.line",
                    "stock.picking",
                    "stock.move",
                ):
                    continue  # the customer's own order and deliveries: Odoo's portal access
                self.assertRefused(user, model, "read", ids, ["display_name"])
                ok, found = self._xmlrpc(user, model, "search_read", [], fields=["id"])
                self.assertFalse(ok and found, f"{user.login} searched {model}: {found}")
        # The employee reads no order at all; the portal customer no one else's.
        other_customer = self.env["res.partner"].create({"name": "Other customer"})
        foreign = self._make_order(partner_id=other_customer.id)
        self.assertRefused(self.portal, "sale.order", "read", foreign.ids, ["name"])
        self.assertRefused(self.employee, "sale.order", "read", order.ids, ["name"])

    def test_refused_decision_dialog_abuse(self):
        order = self._submitted()
        head_review = self._pending_review(order)
        finance_review = order.sudo().policy_review_ids - head_review
        for user, reviews in (
            (self.warehouse, head_review),  # not a reviewer
            (self.salesman, head_review),  # own order
            (self.salesman_other, head_review),  # another salesperson
            (self.finance, finance_review),  # its tier is not open
            (self.sales_head, head_review | finance_review),  # one step is not theirs/open
        ):
            for decision, comment in (("approve", "fine"), ("reject", "no")):
                ok, wizard = self._call(
                    user,
                    "sale.policy.decision",
                    "create",
                    {
                        "review_ids": [Command.set(reviews.ids)],
                        "decision": decision,
                        "comment": comment,
                    },
                )
                if ok:
                    # Refused, or a no-op on the reviews the user may read (none).
                    self._call(user, "sale.policy.decision", "action_decide", [wizard])
            self.env.invalidate_all()
            self.assertEqual(
                (order.sudo().policy_review_ids - head_review - finance_review).ids, []
            )
            self.assertEqual(
                (head_review | finance_review).sudo().mapped("state"),
                ["pending", "waiting"],
                f"{user.login} decided through the dialog",
            )
        # Where the reviews are readable, the dialog itself is refused.
        for user, reviews in (
            (self.salesman, head_review),
            (self.sales_head, head_review | finance_review),
        ):
            self.assertRefused(
                user,
                "sale.policy.decision",
                "create",
                {"review_ids": [Command.set(reviews.ids)], "comment": "fine"},
            )
        # Someone else's dialog decides nothing for the caller.
        wizard = (
            self.env["sale.policy.decision"]
            .with_user(self.sales_head)
            .create({"review_ids": [Command.set(head_review.ids)], "comment": "ok"})
        )
        self._call(self.warehouse, "sale.policy.decision", "action_decide", wizard.ids)
        head_review.invalidate_recordset()
        self.assertEqual(head_review.state, "pending")
        # Opinion required: neither the dialog nor the API approves without one.
        self.rule_head.opinion_required = True
        for comment in (False, "", "   \n "):
            ok, wizard_id = self._xmlrpc(
                self.sales_head,
                "sale.policy.decision",
                "create",
                {"review_ids": [Command.set(head_review.ids)], "comment": comment},
            )
            self.assertTrue(ok, wizard_id)
            self.assertRefused(
                self.sales_head, "sale.policy.decision", "action_decide", [wizard_id]
            )
            self.assertRefused(
                self.sales_head, "sale.policy.review", "action_approve", head_review.ids, comment
            )
        self.assertRefused(self.sales_head, "sale.policy.review", "action_approve", head_review.ids)
        self.assertRefused(self.sales_head, "sale.policy.review", "action_reject", head_review.ids)
        head_review.invalidate_recordset()
        self.assertEqual(head_review.state, "pending")
        order.invalidate_recordset()
        self.assertEqual(order.approval_state, "pending")

    def test_refused_review_activity_tampering(self):
        order = self._submitted()
        review = self._pending_review(order)
        activity = review.sudo().activity_ids
        self.assertEqual(activity.activity_type_id, self.review_type)
        self.assertEqual(activity.user_id, self.sales_head)
        other = self._make_order()
        todo = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id("sale.order")
        for user in (self.sales_head, self.salesman, self.admin):
            ids = activity.ids
            for method, args, kwargs in (
                ("action_feedback", [ids], {"feedback": "done"}),
                ("action_done", [ids], {}),
                ("action_feedback_schedule_next", [ids], {"feedback": "done"}),
                ("action_done_schedule_next", [ids], {}),
                ("action_done_redirect_to_other", [ids], {}),
                ("action_cancel", [ids], {}),
                ("action_snooze", [ids], {}),
                ("action_archive", [ids], {}),
                ("unlink", [ids], {}),
                ("unlink", [ids], {"context": {"_force_unlink": True}}),
                ("write", [ids, {"user_id": self.warehouse.id}], {}),
                ("write", [ids, {"res_id": other.id}], {}),
                ("write", [ids, {"res_id": other.id, "res_model_id": model_id}], {}),
                ("write", [ids, {"activity_type_id": todo.id}], {}),
                ("write", [ids, {"active": False}], {}),
                ("write", [ids, {"date_deadline": "2999-01-01"}], {}),
                ("copy", [ids], {}),
            ):
                self.assertRefused(user, "mail.activity", method, *args, **kwargs)
            for command in (
                Command.delete(activity.id),
                Command.unlink(activity.id),
                Command.update(activity.id, {"user_id": self.warehouse.id}),
                Command.set([]),
                Command.clear(),
            ):
                self.assertRefused(
                    user, "sale.order", "write", order.ids, {"activity_ids": [command]}
                )
            xmlid = "sale_order_policy.mail_activity_type_policy_review"
            self.assertRefused(user, "sale.order", "activity_feedback", order.ids, [xmlid])
            self.assertRefused(user, "sale.order", "activity_unlink", order.ids, [xmlid])
            self.assertRefused(
                user,
                "sale.order",
                "activity_reschedule",
                order.ids,
                [xmlid],
                new_user_id=self.warehouse.id,
            )
            # A forged review activity, directly or moved onto the order from a to-do.
            self.assertRefused(
                user,
                "mail.activity",
                "create",
                {
                    "res_model_id": model_id,
                    "res_id": other.id,
                    "activity_type_id": self.review_type.id,
                    "user_id": self.finance.id,
                },
            )
        activity.invalidate_recordset()
        self.assertTrue(activity.exists())
        self.assertEqual(
            (activity.user_id, activity.res_id, activity.activity_type_id, activity.active),
            (self.sales_head, order.id, self.review_type, True),
        )
        self.assertEqual(review.state, "pending")

    def test_refused_delegation_window_for_orders(self):
        order = self._submitted()
        opened = {}
        for vals in (
            {"date_from": "2999-01-01", "date_to": "2999-12-31"},
            {"date_from": "2000-01-01", "date_to": "2000-01-31"},
            {"date_from": "2000-01-01", "date_to": "2999-01-01", "active": False},
        ):
            delegation = (
                self.env["sale.policy.delegation"]
                .with_user(self.sales_head)
                .create({"delegate_id": self.warehouse.id, **vals})
            )
            read = self._readable(self.warehouse, "sale.order", order.ids, ["name"])
            read += self._readable(
                self.warehouse, "sale.order.line", order.order_line.ids, ["name"]
            )
            if read:
                opened[str(vals)] = read
            self.assertRefused(
                self.warehouse,
                "sale.policy.review",
                "action_approve",
                self._pending_review(order).ids,
                "ok",
            )
            # The delegate cannot stretch the delegation.
            self.assertRefused(
                self.warehouse,
                "sale.policy.delegation",
                "write",
                delegation.ids,
                {"date_from": "2000-01-01", "date_to": "2999-01-01", "active": True},
            )
            delegation.unlink()
        self.assertFalse(opened, f"delegations not in force opened the order: {opened}")
        # Control: a delegation in force does open the order.
        self.env["sale.policy.delegation"].with_user(self.sales_head).create(
            {"delegate_id": self.warehouse.id, "date_from": "2000-01-01", "date_to": "2999-01-01"}
        )
        self.assertTrue(self._readable(self.warehouse, "sale.order", order.ids, ["name"]))

    def test_hole_delegation_of_other_company_reads_orders(self):
        """Warehouse reviewer working in companies A and B, named substitute by the sales
        head for company B only: `_policy_principal_ids` counts every delegation of the
        *enabled* companies (all of the user's companies over RPC, or both ticked in the
        company switcher), not of the order's company, so the head's company-A orders
        under review are readable (order and lines), though the same delegation cannot
        decide them (`_get_delegators(user, review.company_id)`)."""
        order = self._submitted()
        company_b = self.env["res.company"].create({"name": "Att2 Delegation Co"})
        self.sales_head.company_ids = [Command.link(company_b.id)]
        self.warehouse.company_ids = [Command.link(company_b.id)]
        self.env["sale.policy.delegation"].with_user(self.sales_head).with_company(
            company_b
        ).create(
            {
                "delegate_id": self.warehouse.id,
                "date_from": "2000-01-01",
                "date_to": "2999-01-01",
                "company_id": company_b.id,
            }
        )
        self.assertRefused(
            self.warehouse,
            "sale.policy.review",
            "action_approve",
            self._pending_review(order).ids,
            "ok",
        )
        read = self._readable(self.warehouse, "sale.order", order.ids, ["name", "amount_total"])
        lines = self._readable(
            self.warehouse, "sale.order.line", order.order_line.ids, ["name", "price_unit"]
        )
        self.assertFalse(
            read or lines,
            f"company-B delegation opened company-A order {order.name}: {read} {lines}",
        )

    def test_refused_option_added_to_approved_pending_or_confirmed_order(self):
        approved = self._approved_order()
        option = self._add_option(approved)
        ok, _result = self._call(
            self.salesman, "sale.order.option", "button_add_to_order", option.ids
        )
        approved.invalidate_recordset()
        self.assertEqual(approved.approval_state, "draft" if ok else "approved")
        self.assertRefused(self.salesman, "sale.order", "action_confirm", approved.ids)
        pending = self._submitted()
        option = self._add_option(pending)
        self.assertRefused(self.salesman, "sale.order.option", "button_add_to_order", option.ids)
        confirmed = self._confirmed_order()
        option = self._add_option(confirmed)
        self.assertRefused(self.salesman, "sale.order.option", "button_add_to_order", option.ids)
        self.assertEqual(len(confirmed.order_line), 1)

    def test_refused_cancel_wizard_draft_lock_on_confirmed_order(self):
        order = self._confirmed_order()
        for method in ("action_lock", "action_unlock", "action_draft"):
            self._call(self.salesman, "sale.order", method, order.ids)
        ok, wizard = self._call(
            self.salesman, "sale.order.cancel", "create", {"order_id": order.id}
        )
        if ok:
            self._call(self.salesman, "sale.order.cancel", "action_cancel", [wizard])
        self.assertRefused(self.salesman, "sale.order", "_action_cancel", order.ids)
        self.assertRefused(self.salesman, "sale.order", "write", order.ids, {"state": "cancel"})
        self.assertRefused(self.salesman, "sale.order", "write", order.ids, {"state": "draft"})
        order.invalidate_recordset()
        self.assertEqual((order.state, order.approval_state), ("sale", "approved"))
        self.assertNotIn("cancel", order.picking_ids.mapped("state"))

    def test_hole_delivery_address_edited_after_approval(self):
        """Salesperson with Contact Creation (every employee by default): the approved
        header compares the ids of the invoice and delivery addresses, not the addresses.
        Editing the delivery contact of an approved quotation (or of a confirmed order)
        sends the goods elsewhere; the approval is kept and the order confirms."""
        seller = new_test_user(
            self.env,
            "sop_att2_seller",
            groups="base.group_user,sales_team.group_sale_salesman,base.group_partner_manager",
        )
        self.team.member_ids = [Command.link(seller.id)]
        delivery = self.env["res.partner"].create(
            {
                "name": "Shanghai warehouse",
                "type": "delivery",
                "parent_id": self.customer.id,
                "street": "1 Approved Road",
                "city": "Shanghai",
            }
        )
        order = self._make_order(user=seller, partner_shipping_id=delivery.id)
        order.with_user(seller).action_submit_for_review()
        for reviewer in (self.sales_head, self.finance):
            self._pending_review(order).with_user(reviewer).action_approve("ok")
        self.assertEqual(order.approval_state, "approved")
        ok, _result = self._call(
            seller,
            "res.partner",
            "write",
            delivery.ids,
            {"street": "99 Unapproved Street", "city": "Shenzhen"},
        )
        if ok:
            self._call(seller, "sale.order", "action_confirm", order.ids)
        order.invalidate_recordset()
        self.assertFalse(
            ok and order.state == "sale" and order.approval_state == "approved",
            f"{order.name} confirmed for delivery to "
            f"{order.partner_shipping_id.contact_address!r}, approved: 1 Approved Road, Shanghai",
        )
