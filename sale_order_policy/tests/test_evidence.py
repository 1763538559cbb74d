import base64

from odoo import Command
from odoo.tests import tagged

from .common import SalePolicyCase
from .test_security_rpc import PolicyRpcCase

KEPT = "cannot be removed or replaced"


class EvidenceFixtures:
    """An order whose customer confirmation (e-mail) comes with a scanned reply."""

    def _order_with_evidence(self):
        order = self._make_order()
        evidence = (
            self.env["ir.attachment"]
            .with_user(self.salesman)
            .create(
                {
                    "name": "customer-reply.pdf",
                    "raw": b"%PDF-1.4 the customer confirms",
                    "res_model": "sale.order",
                    "res_id": order.id,
                }
            )
        )
        order.with_user(self.salesman).customer_confirmation_attachment_ids = [
            Command.link(evidence.id)
        ]
        return order, evidence


@tagged("post_install", "-at_install")
class TestEvidenceKept(EvidenceFixtures, SalePolicyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule = cls._make_rule("Sales Head", 10, reviewer_type="team_leader")

    def _submitted(self):
        order, evidence = self._order_with_evidence()
        order.with_user(self.salesman).action_submit_for_review()
        self.assertEqual(order.approval_state, "pending")
        return order, evidence

    def test_before_submission_evidence_can_be_replaced(self):
        order, evidence = self._order_with_evidence()
        as_salesman = order.with_user(self.salesman)
        as_salesman.customer_confirmation_method = "written"
        as_salesman.customer_confirmation_attachment_ids = [Command.unlink(evidence.id)]
        evidence.with_user(self.salesman).unlink()
        self.assertFalse(order.customer_confirmation_attachment_ids)
        self.assertEqual(order.customer_confirmation_method, "written")

    def test_submitted_evidence_cannot_be_removed_or_replaced(self):
        order, evidence = self._submitted()
        other_order = self._make_order()
        as_salesman = order.with_user(self.salesman)
        for commands in (
            [Command.unlink(evidence.id)],
            [Command.set([])],
            [Command.clear()],
            [Command.delete(evidence.id)],
        ):
            with self.assertRefusedWith(KEPT):
                as_salesman.write({"customer_confirmation_attachment_ids": commands})
        with self.assertRefusedWith(KEPT):
            as_salesman.customer_confirmation_method = "phone"
        # The file itself, from the chatter or over RPC, even as superuser.
        for attachment in (evidence.with_user(self.salesman), evidence.sudo()):
            with self.assertRefusedWith(KEPT):
                attachment.unlink()
            with self.assertRefusedWith(KEPT):
                attachment.write({"raw": b"%PDF-1.4 a different document"})
            with self.assertRefusedWith(KEPT):
                attachment.write({"datas": base64.b64encode(b"another one")})
            with self.assertRefusedWith(KEPT):
                attachment.write({"res_id": other_order.id})
        self.assertEqual(order.customer_confirmation_attachment_ids, evidence)
        self.assertEqual(evidence.raw, b"%PDF-1.4 the customer confirms")
        self.assertEqual(order.customer_confirmation_method, "email")

    def test_submitted_evidence_can_be_added_to_and_renamed(self):
        order, evidence = self._submitted()
        more = self.env["ir.attachment"].create(
            {"name": "contract.pdf", "raw": b"%PDF contract", "res_model": "sale.order"}
        )
        order.with_user(self.salesman).customer_confirmation_attachment_ids = [
            Command.link(more.id)
        ]
        evidence.with_user(self.salesman).name = "customer-reply-2026.pdf"
        # Rewriting the same bytes (Odoo's storage migration) is not a replacement.
        evidence.write({"raw": evidence.raw})
        self.assertEqual(order.customer_confirmation_attachment_ids, evidence | more)

    def test_rejected_order_evidence_can_be_corrected(self):
        order, evidence = self._submitted()
        review = order.sudo().policy_review_ids.filtered(lambda r: r.state == "pending")
        review.with_user(self.sales_head).action_reject("The reply is not signed.")
        self.assertEqual(order.approval_state, "rejected")
        order.with_user(self.salesman).customer_confirmation_attachment_ids = [
            Command.unlink(evidence.id)
        ]
        evidence.unlink()
        self.assertFalse(order.customer_confirmation_attachment_ids)

    def test_approval_sheet_lists_the_evidence(self):
        order, evidence = self._submitted()
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("sale_order_policy.report_approval_sheet", order.ids)[0]
            .decode()
        )
        self.assertIn("Customer Confirmation Evidence", html)
        self.assertIn(evidence.name, html)
        self.assertIn(self.salesman.name, html)

    def test_deleting_a_draft_order_takes_its_evidence(self):
        order, evidence = self._order_with_evidence()
        order.unlink()
        self.assertFalse(evidence.exists())


@tagged("post_install", "-at_install")
class TestEvidenceKeptRpc(EvidenceFixtures, PolicyRpcCase):
    def test_evidence_kept_over_rpc(self):
        order, evidence = self._order_with_evidence()
        order.with_user(self.salesman).action_submit_for_review()
        for user in (self.salesman, self.admin):
            self.assertRefused(
                user,
                "sale.order",
                "write",
                [order.id],
                {"customer_confirmation_attachment_ids": [Command.set([])]},
            )
            self.assertRefused(user, "ir.attachment", "unlink", [evidence.id])
            self.assertRefused(
                user,
                "ir.attachment",
                "write",
                [evidence.id],
                {"datas": base64.b64encode(b"forged").decode()},
            )
        self.assertEqual(order.customer_confirmation_attachment_ids, evidence)
