from lxml import etree

from odoo.tests import tagged

from .common import SalePolicyCase

REJECTED_ACTIVITY = "sale_order_policy.mail_activity_type_policy_rejected"


@tagged("post_install", "-at_install")
class TestOrderFormUi(SalePolicyCase):
    """What the salesperson sees on the order: delivery date, rejection, pre-policy orders."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule_head = cls._make_rule(
            "Sales Head", 10, reviewer_type="team_leader", department="sales"
        )
        cls.rule_change_head = cls._make_rule(
            "Change: Sales Head", 10, applies_to="change", reviewer_type="team_leader"
        )
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(
            ["sale_order_policy"], ["zh_CN"], overwrite=True
        )

    def _arch(self, view_type, view=None, lang="en_US"):
        model = self.env["sale.order"].with_user(self.salesman).with_context(lang=lang)
        views = model.get_views([(view and view.id, view_type)])
        return etree.fromstring(views["views"][view_type]["arch"])

    def _rejection_activities(self, order):
        return order.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref(REJECTED_ACTIVITY)
        )

    def _reject(self, order, reason):
        order.with_user(self.salesman).action_submit_for_review()
        review = order.policy_review_ids.filtered(lambda r: r.state == "pending")
        review.with_user(self.sales_head).action_reject(reason)
        self.assertEqual(order.approval_state, "rejected")
        return review

    # -- delivery date ----------------------------------------------------------

    def test_delivery_date_one_label_near_payment_terms_required(self):
        form = self._arch("form")
        [main] = form.xpath("//div[@name='policy_commitment_date_div']")
        payment_term = form.xpath("//field[@name='payment_term_id']")[0]
        self.assertIs(main.getparent(), payment_term.getparent(), "in the payment terms group")
        [field] = main.xpath("field[@name='commitment_date']")
        self.assertIn("policy_require_commitment_date", field.get("required"))
        self.assertEqual(main.get("invisible"), "not policy_enabled")
        # The core field of Other Info is hidden while the policy is on.
        other = form.xpath("//group[@name='sale_shipping']//field[@name='commitment_date']/..")[0]
        self.assertEqual(other.get("invisible"), "policy_enabled")
        # zh_CN: the policy's term (交货日期) on the form, in the list and in the error.
        form_zh = self._arch("form", lang="zh_CN")
        labels = form_zh.xpath("//label[@for='commitment_date']")
        self.assertIn("交货日期", [label.get("string") for label in labels])
        self.assertNotIn("交付日期", etree.tostring(main, encoding="unicode"))
        order = self._make_order(commitment_date=False)
        with self.assertRefusedWith("交货日期"):
            order.with_user(self.salesman).with_context(lang="zh_CN").action_submit_for_review()

    def test_order_list_has_one_delivery_date_column(self):
        for xmlid in ("sale.view_order_tree", "sale.view_quotation_tree"):
            arch = self._arch("list", self.env.ref(xmlid), lang="zh_CN")
            columns = arch.xpath("//field[@name='commitment_date']")
            self.assertEqual(len(columns), 1, xmlid)
        [column] = self._arch("list", self.env.ref("sale.view_order_tree"), lang="zh_CN").xpath(
            "//field[@name='commitment_date']"
        )
        self.assertEqual(column.get("string"), "交货日期")
        self.assertEqual(column.get("optional"), "show")

    # -- rejection --------------------------------------------------------------

    def test_rejection_banner_shows_last_rejecting_review(self):
        order = self._make_order()
        self._reject(order, "Price below cost.")
        order.invalidate_recordset()
        as_salesman = order.with_user(self.salesman)
        self.assertEqual(as_salesman.policy_rejection_step, "Sales Head")
        self.assertEqual(as_salesman.policy_rejection_user_id, self.sales_head)
        self.assertEqual(as_salesman.policy_rejection_reason, "Price below cost.")
        self.assertTrue(as_salesman.policy_rejection_date)
        # Second round rejected again: the banner shows the latest opinion.
        order.with_user(self.salesman).order_line[0].price_unit = 120.0
        self._reject(order, "Delivery date too early")
        order.invalidate_recordset()
        self.assertEqual(order.policy_rejection_reason, "Delivery date too early")
        # The banner is on the form, only for rejected orders.
        [banner] = self._arch("form").xpath("//div[hasclass('o_sale_policy_rejection_banner')]")
        self.assertIn("approval_state != 'rejected'", banner.get("invisible"))
        # Once resubmitted, nothing is shown.
        order.with_user(self.salesman).action_submit_for_review()
        order.invalidate_recordset()
        self.assertFalse(order.policy_rejection_reason)
        self.assertFalse(order.policy_rejection_step)

    def test_rejection_activity_closed_on_resubmission(self):
        order = self._make_order()
        self._reject(order, "价格低于成本。")
        [activity] = self._rejection_activities(order)
        self.assertEqual(activity.user_id, self.salesman)
        note = activity.with_context(lang="zh_CN").note
        self.assertIn("价格低于成本。", str(note))
        self.assertNotIn("。。", str(note))
        order.with_user(self.salesman).action_submit_for_review()
        self.assertEqual(order.approval_state, "pending")
        self.assertFalse(self._rejection_activities(order), "closed by the resubmission")
        # The chatter keeps the trace of the done activity.
        self.assertTrue(
            order.message_ids.filtered(
                lambda m: m.mail_activity_type_id == self.env.ref(REJECTED_ACTIVITY)
            )
        )

    def test_rejection_note_in_chinese_has_no_doubled_full_stop(self):
        self.salesman.lang = "zh_CN"
        order = self._make_order()
        order.with_user(self.salesman).action_submit_for_review()
        review = order.policy_review_ids.filtered(lambda r: r.state == "pending")
        review.with_user(self.sales_head).with_context(lang="zh_CN").action_reject("单价低于成本。")
        [activity] = self._rejection_activities(order)
        note = str(activity.note)
        self.assertIn("驳回理由：单价低于成本。", note)
        self.assertNotIn("。。", note)

    # -- orders confirmed before the policy ---------------------------------------

    def _pre_policy_order(self):
        self.company.sale_policy_enabled = False
        order = self._make_order()
        order.action_confirm()
        self.company.sale_policy_enabled = True
        self.assertEqual((order.state, order.approval_state), ("sale", "draft"))
        return order

    def test_order_confirmed_before_the_policy(self):
        order = self._pre_policy_order()
        self.assertEqual(order.policy_status, "before_policy")
        selection = (
            self.env["sale.order"]
            .with_context(lang="zh_CN")
            .fields_get(["policy_status"])["policy_status"]["selection"]
        )
        self.assertEqual(dict(selection)["before_policy"], "制度实施前")
        # A quotation not submitted yet is just "not submitted".
        quotation = self._make_order()
        self.assertEqual(quotation.policy_status, "draft")
        # Left out of the review KPIs: only submitted orders count.
        submitted = self._make_order()
        submitted.with_user(self.salesman).action_submit_for_review()
        kpi = self.env["sale.policy.kpi.report"].search(
            [("order_id", "in", (order | submitted).ids)]
        )
        self.assertEqual(kpi.order_id, submitted)
        # Its changes still go through a change request.
        with self.assertRefusedWith("Request Change"):
            order.with_user(self.salesman).order_line[0].product_uom_qty = 5
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
        self.assertEqual(change.state, "pending")
        change.review_ids.with_user(self.sales_head).action_approve()
        self.assertEqual(change.state, "applied")
        self.assertEqual(order.order_line[0].product_uom_qty, 5)
        # Still before the policy: the change did not submit the order itself.
        order.invalidate_recordset()
        self.assertEqual(order.policy_status, "before_policy")
