from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import SalePolicyCase

VALID_USCC = "91440300708461136T"  # check character T
WRONG_USCC = "91440300708461136A"
VALID_RESIDENT_ID = "11010519491231002X"


@tagged("post_install", "-at_install")
class TestOrderElements(SalePolicyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.china = cls.env.ref("base.cn")
        cls.customer.write({"country_id": cls.china.id, "vat": VALID_USCC})

    def _completeness(self, order):
        order.action_run_policy_checks()
        return order.policy_check_ids.filtered(lambda c: c.code == "completeness")

    def _require_all(self):
        self.company.write(
            {
                "sale_policy_require_client_order_ref": True,
                "sale_policy_require_transport": True,
                "sale_policy_require_quality_standard": True,
                "sale_policy_require_tax_id": True,
            }
        )

    def test_new_elements_are_off_by_default(self):
        company = self.env["res.company"].create({"name": "Elements Default Co"})
        self.assertFalse(company.sale_policy_require_client_order_ref)
        self.assertFalse(company.sale_policy_require_transport)
        self.assertFalse(company.sale_policy_require_quality_standard)
        self.assertFalse(company.sale_policy_require_tax_id)
        self.assertTrue(company.sale_policy_require_commitment_date)
        self.customer.vat = False
        self.assertEqual(self._completeness(self._make_order()).result, "pass")

    def test_each_required_element_is_named_when_missing(self):
        self._require_all()
        self.customer.vat = False
        check = self._completeness(self._make_order())
        self.assertEqual(check.result, "block")
        transport = (
            "the shipping method"
            if "carrier_id" in self.env["sale.order"]._fields
            else "the transport method"
        )
        for label in (
            "the customer's order number (Customer Reference)",
            transport,
            "the quality and acceptance standard",
            "the tax ID of the invoiced customer",
        ):
            self.assertIn(label, check.message)

    def test_order_with_every_element_passes_and_submits(self):
        self._require_all()
        vals = {
            "client_order_ref": "PO-2026-0042",
            "policy_quality_standard": "GB/T 12234; inspection at receipt within 7 days",
        }
        if "carrier_id" not in self.env["sale.order"]._fields:
            vals["policy_transport_method"] = "freight"
        order = self._make_order(**vals)
        self.assertEqual(self._completeness(order).result, "pass")
        order.with_user(self.salesman).action_submit_for_review()
        self.assertEqual(order.approval_state, "approved")

    def test_priced_lines_are_required_by_default_and_can_be_switched_off(self):
        order = self._make_order()
        order.order_line.unlink()
        check = self._completeness(order)
        self.assertEqual(check.result, "block")
        self.assertIn("at least one order line", check.message)
        zero = self._make_order(lines=[(self.product, 0, 0.0)])
        message = self._completeness(zero).message
        self.assertIn("a quantity above zero on line", message)
        self.assertIn("a price above zero on line", message)

        self.company.sale_policy_require_priced_lines = False
        self.assertEqual(self._completeness(order).result, "pass")
        # Nothing applies and nothing blocks: Confirm approves and confirms, as in Odoo.
        order.with_user(self.salesman).action_confirm()
        self.assertEqual((order.state, order.approval_state), ("sale", "approved"))

    def test_tax_id_is_read_on_the_invoiced_company(self):
        self.company.sale_policy_require_tax_id = True
        accounting = self.env["res.partner"].create(
            {"name": "财务部 Accounts", "parent_id": self.customer.id, "type": "invoice"}
        )
        self.assertEqual(accounting.vat, VALID_USCC)  # commercial field, synced
        order = self._make_order(partner_invoice_id=accounting.id)
        self.assertEqual(self._completeness(order).result, "pass")

    def test_settings_switch_the_elements(self):
        settings = self.env["res.config.settings"].create(
            {"sale_policy_require_tax_id": True, "sale_policy_require_transport": True}
        )
        settings.execute()
        self.assertTrue(self.company.sale_policy_require_tax_id)
        self.assertTrue(self.company.sale_policy_require_transport)
        self.assertFalse(self.company.sale_policy_require_quality_standard)

    def test_form_shows_the_transport_that_applies(self):
        form = Form(self._make_order())
        self.assertEqual(form.policy_uses_carrier, "carrier_id" in self.env["sale.order"]._fields)
        form.policy_quality_standard = "Samples approved by the customer"
        order = form.save()
        self.assertEqual(order.policy_quality_standard, "Samples approved by the customer")

    def test_quotation_and_approval_sheet_print_the_elements(self):
        order = self._make_order(
            client_order_ref="PO-77",
            policy_transport_method="pickup",
            policy_quality_standard="Acceptance per drawing rev. C",
        )
        Report = self.env["ir.actions.report"]
        for report in ("sale.report_saleorder", "sale_order_policy.report_approval_sheet"):
            html = Report._render_qweb_html(report, order.ids)[0].decode()
            self.assertIn("Acceptance per drawing rev. C", html, report)
            self.assertIn("Customer Pickup", html, report)


@tagged("post_install", "-at_install")
class TestChineseTaxId(SalePolicyCase):
    """GB 32100-2015: 18 characters, weights 3^i mod 31, check = 31 - (sum mod 31)."""

    def _partner(self, vat, country="base.cn", **vals):
        return self.env["res.partner"].create(
            {
                "name": "Tax ID Test",
                "vat": vat,
                "country_id": country and self.env.ref(country).id,
                "is_company": True,
                **vals,
            }
        )

    def test_valid_credit_codes_pass(self):
        for code in (VALID_USCC, "91350100M000100Y43", "91110000802100433B"):
            self.assertEqual(self._partner(code).vat, code)
        self.assertTrue(self._partner("9144 0300 7084 6113 6T"))  # spaces are tolerated

    def test_wrong_check_character_is_refused_with_a_clear_message(self):
        with self.assertRaises(ValidationError) as caught:
            self._partner(WRONG_USCC)
        self.assertIn(WRONG_USCC, str(caught.exception))
        self.assertIn("check character", str(caught.exception))
        partner = self._partner(VALID_USCC)
        with self.assertRaises(ValidationError):
            partner.vat = "9144030070846113"  # 16 characters
        with self.assertRaises(ValidationError):
            partner.vat = "9144030070846113IO"  # letters outside the code set

    def test_person_may_use_a_citizen_identity_number(self):
        self.assertTrue(self._partner(VALID_RESIDENT_ID, is_company=False))
        with self.assertRaises(ValidationError):
            self._partner(VALID_RESIDENT_ID)  # a company has a credit code

    def test_legacy_taxpayer_ids_are_accepted(self):
        self.assertTrue(self._partner("110105123456789"))  # 15 characters, before 2015

    def test_partner_without_country_is_checked_when_it_looks_like_a_credit_code(self):
        with self.assertRaises(ValidationError):
            self._partner(WRONG_USCC, country=False)
        self.assertTrue(self._partner(VALID_USCC, country=False))
        self.assertTrue(self._partner("ATU12345678", country=False))

    def test_other_countries_are_untouched(self):
        self.assertTrue(self._partner(WRONG_USCC, country="base.de"))
        self.assertTrue(self._partner("12.345.678/0001-95", country="base.br"))

    def test_moving_a_partner_to_china_checks_its_tax_id(self):
        partner = self._partner(WRONG_USCC, country="base.hk")
        with self.assertRaises(ValidationError):
            partner.country_id = self.env.ref("base.cn")

    def test_invoice_contacts_inherit_a_valid_code(self):
        company = self._partner(VALID_USCC)
        contact = self.env["res.partner"].create(
            {"name": "Buyer", "parent_id": company.id, "country_id": self.env.ref("base.cn").id}
        )
        self.assertEqual(contact.vat, VALID_USCC)
