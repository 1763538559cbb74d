from contextlib import contextmanager
from datetime import timedelta
from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, TransactionCase, new_test_user


class SalePolicyFixtures:
    """Shared fixtures: a company with the policy on, its people, a customer, products."""

    @classmethod
    def _setup_policy_fixtures(cls):
        cls.env = cls.env(context=dict(cls.env.context, mail_create_nolog=True))
        cls.company = cls.env.company
        cls.company.write(
            {
                "sale_policy_enabled": True,
                "account_use_credit_limit": True,
                "security_lead": 0.0,
                "sale_policy_payment_term_ids": [Command.clear()],
            }
        )
        # Tests define their own chains: the shipped default rules are archived here.
        cls.env["sale.policy.rule"].search([]).write({"active": False})
        cls.currency = cls.company.currency_id

        user_group = "base.group_user"
        cls.salesman = new_test_user(
            cls.env,
            "sop_salesman",
            groups=f"{user_group},sales_team.group_sale_salesman",
            name="Salesman Sam",
        )
        cls.salesman_other = new_test_user(
            cls.env,
            "sop_salesman2",
            groups=f"{user_group},sales_team.group_sale_salesman",
            name="Salesman Sue",
        )
        cls.sales_head = new_test_user(
            cls.env,
            "sop_head",
            groups=f"{user_group},sales_team.group_sale_manager",
            name="Head Hua",
        )
        cls.finance = new_test_user(
            cls.env,
            "sop_finance",
            groups=f"{user_group},sale_order_policy.group_finance_reviewer",
            name="Finance Fang",
        )
        cls.finance2 = new_test_user(
            cls.env,
            "sop_finance2",
            groups=f"{user_group},sale_order_policy.group_finance_reviewer",
            name="Finance Feng",
        )
        cls.warehouse = new_test_user(
            cls.env,
            "sop_warehouse",
            groups=f"{user_group},sale_order_policy.group_warehouse_reviewer",
            name="Warehouse Wang",
        )
        cls.logistics = new_test_user(
            cls.env,
            "sop_logistics",
            groups=f"{user_group},sale_order_policy.group_logistics_reviewer",
            name="Logistics Liu",
        )
        cls.purchaser = new_test_user(
            cls.env,
            "sop_purchaser",
            groups=f"{user_group},sale_order_policy.group_purchase_reviewer",
            name="Purchaser Sun",
        )
        cls.gm = new_test_user(
            cls.env,
            "sop_gm",
            groups=f"{user_group},sale_order_policy.group_general_manager",
            name="Manager Ma",
        )
        cls.policy_admin = new_test_user(
            cls.env,
            "sop_admin",
            groups=f"{user_group},sale_order_policy.group_policy_admin,sales_team.group_sale_manager",
            name="Admin An",
        )
        cls.team = cls.env["crm.team"].create(
            {
                "name": "Policy Team",
                "user_id": cls.sales_head.id,
                "member_ids": [Command.link(cls.salesman.id), Command.link(cls.salesman_other.id)],
            }
        )
        cls.payment_term = cls.env.ref("account.account_payment_term_30days")
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "上海客户有限公司",
                "email": "buyer@customer.example.com",
                "phone": "+86 21 5555 0000",
                "credit_limit": 1_000_000.0,
                "property_payment_term_id": cls.payment_term.id,
            }
        )
        cls.warehouse_stock = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.product = cls.env["product.product"].create(
            {
                "name": "Steel Valve",
                "type": "consu",
                "is_storable": True,
                "list_price": 100.0,
                "standard_price": 50.0,
                "taxes_id": [Command.clear()],
            }
        )
        cls.product_no_stock = cls.env["product.product"].create(
            {
                "name": "Copper Pipe",
                "type": "consu",
                "is_storable": True,
                "list_price": 40.0,
                "standard_price": 20.0,
                "taxes_id": [Command.clear()],
            }
        )
        cls.service = cls.env["product.product"].create(
            {
                "name": "Installation",
                "type": "service",
                "list_price": 80.0,
                "standard_price": 0.0,
                "taxes_id": [Command.clear()],
            }
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.product, cls.warehouse_stock.lot_stock_id, 1000.0
        )

    @classmethod
    def _make_stocked_products(cls, count, prefix, base_price=10.0):
        """`count` storable products without taxes, 1000 of each in stock."""
        products = cls.env["product.product"].create(
            [
                {
                    "name": f"{prefix} {index}",
                    "type": "consu",
                    "is_storable": True,
                    "list_price": base_price + index,
                    "standard_price": 5.0,
                    "taxes_id": [Command.clear()],
                }
                for index in range(count)
            ]
        )
        for product in products:
            cls.env["stock.quant"]._update_available_quantity(
                product, cls.warehouse_stock.lot_stock_id, 1000.0
            )
        return products

    @classmethod
    def _post_invoice(cls, partner, amount, due_days_ago=0, currency=None, post=True):
        """A customer invoice of `amount` (one line, no taxes) dated and due
        `due_days_ago` days ago (in the user's time zone, like the credit check's
        "today"); posted unless `post` is False."""
        date = fields.Date.context_today(partner) - timedelta(days=due_days_ago)
        move = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": date,
                "invoice_date_due": date,
                "invoice_payment_term_id": False,
                "currency_id": (currency or cls.currency).id,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Goods", "quantity": 1, "price_unit": amount, "tax_ids": []}
                    )
                ],
            }
        )
        if post:
            move.action_post()
        return move

    @contextmanager
    def assertRefusedWith(self, fragment, exception=None):
        """Refused with a message containing `fragment`, and rolled back like an RPC call
        (unittest's assertRaisesRegex keeps the refused values in the cache)."""
        with self.assertRaises(exception or UserError) as caught:
            yield caught
        self.assertIn(fragment, str(caught.exception))

    def _count_queries(self, func):
        """Queries of `func` with its flush, counted the way assertQueryCount counts them."""
        self.env.flush_all()
        self.env.invalidate_all()
        with patch("random.random", lambda: 1):
            self.env.flush_all()
            self.env.cr.flush()
            before = self.cr.sql_log_count
            func()
            self.env.flush_all()
            self.env.cr.flush()
            return self.cr.sql_log_count - before

    @classmethod
    def _make_rule(cls, name, sequence=10, **vals):
        return cls.env["sale.policy.rule"].create(
            {
                "name": name,
                "sequence": sequence,
                "company_id": cls.company.id,
                "reviewer_type": "users",
                **vals,
            }
        )

    @classmethod
    def _make_order(cls, lines=None, user=None, **vals):
        """A complete order (every required element present) created by `user`."""
        user = user or cls.salesman
        lines = lines or [(cls.product, 2, 100.0)]
        order_vals = {
            "partner_id": cls.customer.id,
            "user_id": user.id,
            "team_id": cls.team.id,
            "payment_term_id": cls.payment_term.id,
            "commitment_date": fields.Datetime.now() + timedelta(days=10),
            "customer_confirmation_method": "email",
            "intake_channel": "email",
            "order_line": [
                Command.create(
                    {"product_id": product.id, "product_uom_qty": qty, "price_unit": price}
                )
                for product, qty, price in lines
            ],
        }
        order_vals.update(vals)
        return cls.env["sale.order"].with_user(user).create(order_vals).with_env(cls.env)


class SalePolicyCase(SalePolicyFixtures, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_policy_fixtures()


class SalePolicyHttpCase(SalePolicyFixtures, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_policy_fixtures()
