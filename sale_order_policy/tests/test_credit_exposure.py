from unittest.mock import patch

from odoo import Command
from odoo.tests import Form, tagged
from odoo.tools import SQL

from .common import SalePolicyCase


@tagged("post_install", "-at_install")
class TestCreditExposure(SalePolicyCase):
    """One exposure (res.partner._policy_credit_exposure) for the submission's credit check,
    the credit exception detector and the partner form."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Exc = cls.env["sale.policy.exception"]
        cls.contact = cls.env["res.partner"].create(
            {"name": "采购部 Purchasing", "parent_id": cls.customer.id, "type": "contact"}
        )
        cls.ResPartner = type(cls.env["res.partner"])

    def _confirmed(self, partner=None, lines=None):
        """A confirmed order, confirmed with the policy off (no review needed here)."""
        self.company.sale_policy_enabled = False
        order = self._make_order(partner_id=(partner or self.customer).id, lines=lines)
        order.action_confirm()
        self.company.sale_policy_enabled = True
        self.assertEqual(order.state, "sale")
        return order

    def _open_credit(self, order):
        return self.Exc.search(
            [("order_id", "=", order.id), ("code", "=", "credit"), ("state", "=", "open")]
        )

    def _scenario(self):
        """Receivable 500, a confirmed order of a contact with 300 to invoice."""
        self._post_invoice(self.customer, 500.0)
        return self._confirmed(partner=self.contact, lines=[(self.product, 3, 100.0)])

    def test_check_detector_and_form_give_one_figure(self):
        confirmed = self._scenario()
        self.env.invalidate_all()
        # Partner form: the whole commercial entity, from a contact too.
        self.assertEqual(self.customer.sale_policy_credit_exposure, 800.0)
        self.assertEqual(self.contact.sale_policy_credit_exposure, 800.0)
        # The check of the confirmed order counts it once, as "this order".
        figures = confirmed._policy_credit_figures()
        self.assertEqual((figures["to_invoice"], figures["order"]), (0.0, 300.0))
        self.assertEqual(figures["exposure"], 800.0)
        self.assertEqual(confirmed.policy_credit_exposure, 800.0)
        # A new quotation adds its own total on top of the same figure.
        quotation = self._make_order()  # 200
        self.assertEqual(quotation.policy_credit_exposure, 1000.0)
        # The detector flags the confirmed order at one cent under the same 800.
        self.customer.credit_limit = 800.0
        self.Exc._policy_detect(codes=("credit",))
        self.assertFalse(self._open_credit(confirmed))
        self.customer.credit_limit = 799.99
        self.Exc._policy_detect(codes=("credit",))
        exception = self._open_credit(confirmed)
        self.assertIn("800.00", exception.description)
        self.assertIn("799.99", exception.description)
        self.env.invalidate_all()
        self.assertTrue(self.customer.sale_policy_credit_over_limit)
        self.assertEqual(self.customer.sale_policy_credit_limit, 799.99)

    def test_check_message_lists_the_components(self):
        self._scenario()
        self.customer.credit_limit = 999.0
        order = self._make_order(partner_id=self.contact.id)
        order.action_run_policy_checks()
        check = order.policy_check_ids.filtered(lambda c: c.code == "credit")
        self.assertEqual(check.result, "block")
        for text in (
            "Open receivables",
            "500.00",
            "Confirmed orders not yet invoiced",
            "300.00",
            "This order",
            "200.00",
            "1,000.00",
        ):
            self.assertIn(text, check.message)
        # The overdue detail is shown on the form, not added to the total.
        self.assertNotIn("overdue past", check.message)

    def test_component_added_by_an_extension_reaches_all_three(self):
        """A module adds draft invoices to the exposure by extending the component list:
        the check, the detector and the form count them, with no other change."""
        self._scenario()
        self._post_invoice(self.customer, 150.0, post=False)
        original = self.ResPartner._policy_exposure_components

        def draft_invoices_sql(partner_ids, company_ids, order):
            return SQL(
                """
                SELECT p.commercial_partner_id, m.company_id, SUM(m.amount_total_signed)
                  FROM account_move m
                  JOIN res_partner p ON p.id = m.partner_id
                 WHERE m.state = 'draft' AND m.move_type = 'out_invoice'
                   AND p.commercial_partner_id = ANY(%s) AND m.company_id = ANY(%s)
              GROUP BY 1, 2
                """,
                partner_ids,
                company_ids,
            )

        def components(partner_model):
            return [
                *original(partner_model),
                {"key": "draft", "label": "Draft invoices", "sql": draft_invoices_sql},
            ]

        self.env.flush_all()
        with patch.object(self.ResPartner, "_policy_exposure_components", components):
            self.env.invalidate_all()
            # Form
            self.assertEqual(self.customer.sale_policy_credit_exposure, 950.0)
            self.assertIn("Draft invoices", self.customer.sale_policy_credit_detail)
            self.assertIn("150.00", self.customer.sale_policy_credit_detail)
            # Check
            self.customer.credit_limit = 1100.0
            order = self._make_order()  # 200: 1,150 with the draft invoice
            order.action_run_policy_checks()
            check = order.policy_check_ids.filtered(lambda c: c.code == "credit")
            self.assertEqual(check.result, "block")
            self.assertIn("Draft invoices", check.message)
            self.assertIn("1,150.00", check.message)
            # Detector: 950 is over 900, 800 without the extension was not.
            self.customer.credit_limit = 900.0
            stats = self.Exc._policy_detect(codes=("credit",))
            self.assertEqual(stats["credit"], (1, 0))
            self.assertIn("950.00", self.Exc.search([("code", "=", "credit")]).description)

    def test_figure_against_odoo_credit_and_credit_to_invoice(self):
        """Odoo's own credit warning adds `credit` (receivables) and `credit_to_invoice`
        (orders of the partner itself, by delivered quantity for products invoiced on
        delivery). With orders invoiced on order, on the customer itself, both agree; the
        form's note names the two differences, checked here with exact amounts."""
        self._post_invoice(self.customer, 500.0)
        self._confirmed(lines=[(self.product, 3, 100.0)])  # invoiced on order: 300
        partner = self.customer.with_user(self.env.ref("base.user_admin"))
        self.env.invalidate_all()
        odoo_figure = partner.credit + partner.credit_to_invoice
        self.assertEqual(odoo_figure, 800.0)
        self.assertEqual(self.customer.sale_policy_credit_exposure, odoo_figure)
        # An order of a contact, and an undelivered product invoiced on delivery.
        self._confirmed(partner=self.contact, lines=[(self.product, 1, 70.0)])
        on_delivery = self.env["product.product"].create(
            {
                "name": "Pipe, invoiced on delivery",
                "type": "consu",
                "invoice_policy": "delivery",
                "list_price": 40.0,
                "taxes_id": [Command.clear()],
            }
        )
        self._confirmed(lines=[(on_delivery, 2, 40.0)])
        self.env.invalidate_all()
        self.assertEqual(partner.credit + partner.credit_to_invoice, 800.0)
        self.assertEqual(self.customer.sale_policy_credit_exposure, 800.0 + 70.0 + 80.0)
        detail = self.customer.sale_policy_credit_detail
        self.assertIn("ordered, not delivered", detail)
        self.assertIn("contacts", detail)

    def test_partner_form_block(self):
        self._scenario()
        self.company.sale_policy_overdue_days = 0
        self.customer.credit_limit = 2000.0
        self.env.invalidate_all()
        form = Form(self.customer)
        detail = str(form.sale_policy_credit_detail)
        for text in (
            "Open receivables",
            "of which overdue past the grace days",
            "Confirmed orders not yet invoiced",
            "800.00",
            "2,000.00",
        ):
            self.assertIn(text, detail)
        self.assertNotIn("This order", detail)
        # A salesperson sees it too (Odoo's own credit fields are for accountants).
        as_salesman = self.customer.with_user(self.salesman)
        self.assertEqual(as_salesman.sale_policy_credit_exposure, 800.0)

    def test_partner_figures_in_one_query_for_many_partners(self):
        others = self.env["res.partner"].create(
            [{"name": f"Customer {index}", "credit_limit": 100.0} for index in range(5)]
        )
        for partner in others:
            self._post_invoice(partner, 10.0)
        self._scenario()

        def read(partners):
            return lambda: partners.mapped("sale_policy_credit_exposure")

        self._count_queries(read(self.customer | others))  # templates and caches
        one = self._count_queries(read(self.customer))
        six = self._count_queries(read(self.customer | others))
        self.assertEqual(one, six)
        self.assertEqual(
            (self.customer | others).mapped("sale_policy_credit_exposure"), [800.0] + [10.0] * 5
        )

    def test_exposure_of_many_partners_and_companies_at_once(self):
        self._scenario()
        other = self.env["res.partner"].create({"name": "Other", "credit_limit": 5.0})
        self._post_invoice(other, 10.0)
        company_b = self.env["res.company"].create({"name": "Credit B"})
        partners = self.customer | other
        exposures = partners._policy_credit_exposure(self.company | company_b)
        self.assertEqual(exposures[self.customer.id, self.company.id]["exposure"], 800.0)
        self.assertEqual(exposures[other.id, self.company.id]["exposure"], 10.0)
        self.assertTrue(exposures[other.id, self.company.id]["over_limit"])
        self.assertEqual(exposures[self.customer.id, company_b.id]["exposure"], 0.0)
        # Credit limits off in company B: no limit, never over it.
        self.assertIsNone(exposures[other.id, company_b.id]["limit"])
        self.assertFalse(exposures[other.id, company_b.id]["over_limit"])
        self.assertEqual(
            set(exposures[other.id, self.company.id]),
            {"receivable", "overdue", "to_invoice", "order", "exposure", "limit", "over_limit"},
        )
