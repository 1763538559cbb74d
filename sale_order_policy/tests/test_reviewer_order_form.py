import xmlrpc.client

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, get_db_name, new_test_user, tagged

from .common import SalePolicyHttpCase


@tagged("post_install", "-at_install")
class TestReviewerOrderForm(SalePolicyHttpCase):
    """Finance, warehouse and general-manager reviewers outside every sales group open the
    whole order they review, read-only, and nothing more."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # "Quotation Templates" enabled in the settings: every user sees the template field.
        cls.env.ref("base.group_user").write(
            {
                "implied_ids": [
                    Command.link(cls.env.ref("sale_management.group_sale_order_template").id)
                ]
            }
        )
        cls.reviewers = cls.finance | cls.warehouse | cls.gm
        cls._make_rule(
            "Parallel Review",
            10,
            amount_min=500.0,
            reviewer_user_ids=[Command.set(cls.reviewers.ids)],
        )
        cls.template = cls.env["sale.order.template"].create({"name": "Standard Offer"})
        cls.tag = cls.env["crm.tag"].create({"name": "Key Account"})
        cls.order = cls._make_order(
            lines=[(cls.product, 10, 100.0)],
            name="SOP-READ-1",
            sale_order_template_id=cls.template.id,
            tag_ids=[Command.set(cls.tag.ids)],
            sale_order_option_ids=[cls._option_command()],
        )
        cls.order.with_user(cls.salesman).action_submit_for_review()
        # Somebody else's quotation, below the rule's amount: never for these reviewers.
        cls.other = cls._make_order(
            user=cls.salesman_other, sale_order_option_ids=[cls._option_command()]
        )
        cls.db = get_db_name()

    @classmethod
    def _option_command(cls):
        return Command.create(
            {
                "product_id": cls.product_no_stock.id,
                "name": "Copper Pipe",
                "quantity": 3,
                "price_unit": 40.0,
            }
        )

    def _rpc(self, user, model, method, *args, **kwargs):
        """XML-RPC as `user`: (ok, result or fault message)."""
        # new_test_user's password: the login, padded with "x" to 8 characters.
        password = user.login.ljust(8, "x")
        try:
            result = self.xmlrpc_object.execute_kw(
                self.db, user.id, password, model, method, list(args), kwargs
            )
            return True, result
        except xmlrpc.client.Fault as fault:
            return False, fault.faultString

    def assertRpcRefused(self, user, model, method, *args, **kwargs):
        """Refused for lack of access rights (not by some other check on the way)."""
        ok, result = self._rpc(user, model, method, *args, **kwargs)
        self.assertFalse(ok, f"{user.login}: {model}.{method}{args} was accepted: {result}")
        self.assertRegex(
            result, r"not allowed|doesn't have '\w+' access", f"{user.login}: {model}.{method}"
        )

    def test_reviewers_open_the_order_from_my_reviews(self):
        """The web client, as each reviewer: My Reviews → review → Open Order → lines,
        template, optional products, checks, reviews, log; the form is read-only."""
        self.assertEqual(self.order.approval_state, "pending")
        for user in self.reviewers:
            self.assertFalse(user.has_group("sales_team.group_sale_salesman"))
            with self.subTest(user=user.login):
                self.start_tour(
                    "/odoo/action-sale_order_policy.sale_policy_review_action_my",
                    "sale_policy_reviewer_order_tour",
                    login=user.login,
                )

    def test_each_reviewer_approves_with_an_opinion(self):
        """Finance → warehouse → general manager, each from My Reviews in the browser; the
        opinions are on the order and on the printed approval sheet."""
        tiers = [(self.finance, 10), (self.warehouse, 20), (self.gm, 30)]
        for user, sequence in tiers:
            self._make_rule(f"Tier {sequence}", sequence, reviewer_user_ids=[Command.set(user.ids)])
        order = self._make_order(name="SOP-APPR-1", lines=[(self.product, 1, 100.0)])
        order.with_user(self.salesman).action_submit_for_review()
        for user, sequence in tiers:
            with self.subTest(user=user.login):
                self.start_tour(
                    "/odoo/action-sale_order_policy.sale_policy_review_action_my",
                    "sale_policy_reviewer_approve_tour",
                    login=user.login,
                )
                review = order.policy_review_ids.filtered(
                    lambda r, s=sequence: r.rule_id.name == f"Tier {s}"
                )
                self.assertEqual((review.state, review.decided_by_id), ("approved", user))
                self.assertEqual(review.comment, "同意，按期发货")
        self.assertEqual(order.approval_state, "approved")
        sheet = (
            self.env["ir.actions.report"]
            .with_user(self.gm)
            ._render_qweb_html("sale_order_policy.report_approval_sheet", order.ids)[0]
            .decode()
        )
        self.assertEqual(sheet.count("同意，按期发货"), 3)

    def _read_form(self, order, user):
        """`web_read` of `order` as `user` with the specification of the assembled form
        view: every field and subview field the user may see, sub-records included."""
        # A fresh cache, as in a new request: x2many values cached by the superuser's
        # calls of the test would hold records the user cannot read.
        self.env.invalidate_all()
        spec = Form(order.with_user(user))._view["fields_spec"]
        self.env.invalidate_all()
        [values] = order.with_user(user).web_read(spec)
        return values

    def test_form_view_reads_everything_it_shows(self):
        for user in self.reviewers:
            with self.subTest(user=user.login):
                values = self._read_form(self.order, user)
                self.assertEqual(values["name"], "SOP-READ-1")
                [line] = values["order_line"]
                self.assertEqual(line["product_id"], self.product.id)
                self.assertEqual(line["price_unit"], 100.0)
                self.assertEqual(line["product_uom_qty"], 10.0)
                [option] = values["sale_order_option_ids"]
                self.assertEqual(option["name"], "Copper Pipe")
                self.assertEqual(values["sale_order_template_id"], self.template.id)
                self.assertEqual(values["tag_ids"], self.tag.ids)
                self.assertEqual(len(values["policy_review_ids"]), 1)
                self.assertTrue(values["policy_check_ids"])
                self.assertTrue(values["policy_log_ids"])
        # The general manager reads every order, with its lines and options.
        values = self._read_form(self.other, self.gm)
        self.assertEqual(len(values["order_line"]), 1)
        self.assertEqual(len(values["sale_order_option_ids"]), 1)

    def test_finance_reads_confirmed_orders_it_settles(self):
        """Finance reads every confirmed order (settlement): its lines, options, moves."""
        self.other.with_user(self.salesman_other).action_submit_for_review()
        self.assertEqual(self.other.approval_state, "approved")
        self.other.with_user(self.salesman_other).action_confirm()
        self.assertNotIn(self.finance, self.other.policy_reader_user_ids)
        values = self._read_form(self.other, self.finance)
        [line] = values["order_line"]
        self.assertEqual(line["product_id"], self.product.id)
        self.assertEqual(len(line["move_ids"]), 1)
        self.assertEqual(len(values["sale_order_option_ids"]), 1)
        with self.assertRaises(AccessError):
            self.other.with_user(self.warehouse).check_access("read")

    def test_reviewers_cannot_write_or_read_beyond(self):
        order, other = self.order, self.other
        option, other_option = order.sale_order_option_ids, other.sale_order_option_ids
        for user in self.reviewers:
            with self.subTest(user=user.login):
                self.assertRpcRefused(user, "sale.order", "write", [order.id], {"note": "x"})
                self.assertRpcRefused(user, "sale.order", "unlink", [order.id])
                self.assertRpcRefused(
                    user, "sale.order.line", "write", order.order_line.ids, {"name": "x"}
                )
                self.assertRpcRefused(
                    user,
                    "sale.order.line",
                    "create",
                    {"order_id": other.id, "product_id": self.product.id},
                )
                self.assertRpcRefused(
                    user, "sale.order.option", "write", option.ids, {"price_unit": 1.0}
                )
                self.assertRpcRefused(user, "sale.order.option", "unlink", option.ids)
                self.assertRpcRefused(
                    user,
                    "sale.order.option",
                    "create",
                    {"order_id": order.id, "product_id": self.product.id, "name": "x"},
                )
                self.assertRpcRefused(
                    user, "sale.order.template", "write", self.template.ids, {"name": "x"}
                )
                self.assertRpcRefused(user, "crm.tag", "write", self.tag.ids, {"name": "x"})
                self.assertRpcRefused(user, "crm.tag", "create", {"name": "x"})
        for user in self.finance | self.warehouse:
            with self.subTest(user=user.login):
                self.assertRpcRefused(user, "sale.order", "read", [other.id], ["name"])
                self.assertRpcRefused(user, "sale.order.line", "read", other.order_line.ids)
                self.assertRpcRefused(user, "sale.order.option", "read", other_option.ids)
                ok, found = self._rpc(
                    user,
                    "sale.order.option",
                    "search",
                    [("order_id", "in", (order | other).ids)],
                )
                self.assertTrue(ok)
                self.assertEqual(found, option.ids)
        self.assertEqual(order.note, self.order.note)
        self.assertEqual(option.price_unit, 40.0)

    def test_other_rights_of_a_reviewer_are_unchanged(self):
        """Group rules are OR-ed among the groups that have one: a reviewer who is also an
        accountant or a salesperson keeps reading every optional product, as without the
        module."""
        accountant = new_test_user(
            self.env,
            "sop_accountant_finance",
            groups="base.group_user,account.group_account_invoice,"
            "sale_order_policy.group_finance_reviewer",
        )
        seller = new_test_user(
            self.env,
            "sop_seller_warehouse",
            groups="base.group_user,sales_team.group_sale_salesman,"
            "sale_order_policy.group_warehouse_reviewer",
        )
        options = (self.order | self.other).sale_order_option_ids
        for user in accountant | seller:
            with self.subTest(user=user.login):
                Option = self.env["sale.order.option"].with_user(user)
                self.assertEqual(Option.search([("id", "in", options.ids)]), options)
        # The salesperson still edits the options of their own quotations.
        self.other.sale_order_option_ids.with_user(seller).check_access("write")
