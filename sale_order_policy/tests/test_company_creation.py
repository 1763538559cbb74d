from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestCompanyCreation(TransactionCase):
    """Whoever may create a company gets it, with what the policy needs: the module
    gives the aging periods and the preset chain, not the creator's rights."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        contacts = "base.group_user,base.group_partner_manager"
        cls.settings_admin = new_test_user(
            cls.env, "sop_settings_admin", groups=f"{contacts},base.group_system"
        )
        cls.erp_manager = new_test_user(
            cls.env, "sop_erp_manager", groups=f"{contacts},base.group_erp_manager"
        )

    def _assert_policy_ready(self, company):
        periods = company.sudo()._sale_policy_aging_periods()
        self.assertEqual(
            [(p.days_to, p.open_ended, p.provision_percent) for p in periods],
            [
                (0, False, 0.0),
                (30, False, 1.0),
                (60, False, 5.0),
                (90, False, 10.0),
                (180, False, 30.0),
                (0, True, 50.0),
            ],
        )
        rules = self.env["sale.policy.rule"].search(
            [("company_id", "=", company.id), ("applies_to", "=", "order")]
        )
        self.assertEqual(
            sorted(
                (r.sequence, r.department, r.amount_min, sorted(r.check_type_ids.mapped("code")))
                for r in rules
            ),
            [
                (10, "sales", 0.0, []),
                (20, "finance", 50000.0, ["credit", "payment_term", "price"]),
                (20, "purchase", 0.0, ["supply"]),
                (20, "warehouse", 0.0, ["delivery_date", "stock"]),
                (30, "management", 200000.0, []),
            ],
        )
        self.assertFalse(company.sale_policy_enabled, "a new company starts as in Odoo")

    def test_settings_administrator_creates_a_company(self):
        self.assertFalse(self.settings_admin.has_group("sale_order_policy.group_policy_admin"))
        self.assertFalse(self.settings_admin.has_group("sale_order_policy.group_finance_reviewer"))
        Company = self.env["res.company"].with_user(self.settings_admin)
        company = Company.create({"name": "设置分公司"})
        self._assert_policy_ready(company)

    def test_erp_manager_creates_a_company(self):
        Company = self.env["res.company"].with_user(self.erp_manager)
        company = Company.create({"name": "ERP 分公司"})
        self._assert_policy_ready(company)

    def test_company_created_with_its_own_periods_keeps_them(self):
        company = self.env["res.company"].create(
            {
                "name": "Own periods",
                "sale_policy_aging_period_ids": [
                    (0, 0, {"days_to": 0, "provision_percent": 0.0}),
                    (0, 0, {"days_to": 45, "provision_percent": 2.0}),
                    (0, 0, {"open_ended": True, "provision_percent": 40.0}),
                ],
            }
        )
        self.assertEqual(company._sale_policy_aging_limits(), [45])
        self.assertEqual(company._sale_policy_provision_rates(), [0.0, 2.0, 40.0])
