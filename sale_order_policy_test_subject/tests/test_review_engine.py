from odoo import Command
from odoo.addons.sale_order_policy.tests.common import SalePolicyCase
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestReviewEngine(SalePolicyCase):
    """The review engine on a third subject, without an order: what the order and the
    change request get from `sale.policy.reviewable.mixin`, a new subject gets too."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule_head = cls._make_rule(
            "Subject Head",
            10,
            applies_to="test_subject",
            reviewer_user_ids=[Command.set(cls.sales_head.ids)],
        )
        cls.rule_gm = cls._make_rule(
            "Subject GM",
            20,
            applies_to="test_subject",
            reviewer_user_ids=[Command.set(cls.gm.ids)],
        )
        # A rule of orders never reviews the subject.
        cls._make_rule("Order Finance", 10, reviewer_user_ids=[Command.set(cls.finance.ids)])

    def _subject(self, name="Bonus 2026"):
        return self.env["sale.policy.test.subject"].with_user(self.salesman).create({"name": name})

    def _reviews(self, subject):
        return self.env["sale.policy.review"].search(
            [("res_model", "=", subject._name), ("res_id", "=", subject.id)]
        )

    def _events(self, subject):
        return self.env["sale.policy.log"].search(
            [("review_id", "in", self._reviews(subject).ids)], order="id"
        )

    def test_submit_opens_the_first_tier_of_the_subjects_rules(self):
        subject = self._subject()
        subject.action_submit()
        self.assertEqual(subject.state, "pending")
        self.assertEqual(subject.review_round, 1)
        self.assertEqual(subject.requested_by_id, self.salesman)
        reviews = self._reviews(subject)
        self.assertEqual(reviews.rule_id, self.rule_head | self.rule_gm)
        self.assertEqual(set(reviews.mapped("applies_to")), {"test_subject"})
        self.assertFalse(reviews.order_id)
        self.assertEqual(reviews.company_id, self.company)
        head = reviews.filtered(lambda r: r.rule_id == self.rule_head)
        self.assertEqual(head.state, "pending")
        self.assertEqual((reviews - head).state, "waiting")
        self.assertEqual(head.display_name, "Bonus 2026 / Subject Head")
        self.assertIn(self.sales_head, head.activity_ids.user_id)
        self.assertEqual(head.activity_ids.res_model, subject._name)

    def test_approve_tier_by_tier_without_skipping(self):
        subject = self._subject()
        subject.action_submit()
        reviews = self._reviews(subject)
        gm_review = reviews.filtered(lambda r: r.rule_id == self.rule_gm)
        with self.assertRaises(UserError):
            gm_review.with_user(self.gm).action_approve("too early")
        with self.assertRaises(UserError):
            subject.with_user(self.gm).action_approve()
        subject.with_user(self.sales_head).action_approve("fine")
        self.assertEqual(subject.state, "pending")
        self.assertEqual(gm_review.state, "pending")
        subject.with_user(self.gm).action_approve()
        self.assertEqual(subject.state, "approved")
        self.assertEqual(set(reviews.mapped("state")), {"approved"})
        self.assertEqual(self._events(subject).mapped("event"), ["approve", "approve"])

    def test_reject_then_resubmit_opens_a_new_round(self):
        subject = self._subject()
        subject.action_submit()
        with self.assertRaises(UserError):
            subject.with_user(self.sales_head).action_reject("")
        subject.with_user(self.sales_head).action_reject("Missing figures")
        self.assertEqual(subject.state, "rejected")
        first = self._reviews(subject)
        self.assertEqual(
            sorted(first.mapped("state")), ["cancelled", "rejected"], "the other tier closes"
        )
        with self.assertRaises(UserError):
            subject.with_user(self.gm).action_approve()
        subject.with_user(self.salesman).action_submit()
        self.assertEqual(subject.state, "pending")
        second = self._reviews(subject) - first
        self.assertEqual(set(second.mapped("review_round")), {2})
        self.assertEqual(second.filtered(lambda r: r.state == "pending").rule_id, self.rule_head)

    def test_parties_never_decide(self):
        # The general manager submits a subject a salesman wrote: the requester is a
        # reviewer of the second tier, yet may not decide it.
        subject = self._subject()
        subject.with_user(self.gm).action_submit()
        subject.with_user(self.sales_head).action_approve()
        gm_review = self._reviews(subject).filtered(lambda r: r.rule_id == self.rule_gm)
        self.assertEqual(gm_review.state, "pending")
        self.assertFalse(gm_review.with_user(self.gm).can_decide)
        with self.assertRaisesRegex(AccessError, "you are a party to it"):
            gm_review.with_user(self.gm).action_approve()
        with self.assertRaisesRegex(UserError, "You have no pending review on Bonus 2026"):
            subject.with_user(self.gm).action_approve()
        self.assertEqual(subject.state, "pending")

    def test_no_rule_approves_at_once(self):
        (self.rule_head | self.rule_gm).write({"active": False})
        subject = self._subject()
        subject.action_submit()
        self.assertEqual(subject.state, "approved")
        self.assertFalse(self._reviews(subject))
        log = self.env["sale.policy.log"].search([("event", "=", "auto_approve")], limit=1)
        self.assertEqual(log.comment, "No approval rule applies to Bonus 2026.")

    def test_my_reviews_lists_and_opens_the_subject(self):
        subject = self._subject()
        subject.action_submit()
        action = self.env.ref("sale_order_policy.sale_policy_review_action_my")
        Review = self.env["sale.policy.review"].with_user(self.sales_head)
        domain = [
            "|",
            "|",
            ("reviewer_user_ids", "in", [self.sales_head.id]),
            ("decided_by_id", "=", self.sales_head.id),
            ("escalation_user_ids", "in", [self.sales_head.id]),
        ]
        self.assertIn("reviewer_user_ids", action.domain)
        mine = Review.search(domain)
        review = mine.filtered(lambda r: r.res_id == subject.id and r.res_model == subject._name)
        self.assertEqual(review.subject_name, "Bonus 2026")
        self.assertTrue(review.can_decide)
        opened = review.action_open_subject()
        self.assertEqual((opened["res_model"], opened["res_id"]), (subject._name, subject.id))
        dialog = review.action_open_approve_dialog()
        wizard = (
            self.env["sale.policy.decision"]
            .with_user(self.sales_head)
            .with_context(**dialog["context"])
            .create({})
        )
        self.assertIn("Bonus 2026", wizard.summary)
        wizard.action_decide()
        self.assertEqual(review.state, "approved")
