from odoo import models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .sale_policy_protected_mixin import policy_privileged


class SalePolicyReviewableMixin(models.AbstractModel):
    """The review engine of one kind of document (a subject): submission, rounds,
    decisions and outcome. A subject joins with `_inherit`, declares a few getters and
    overrides the outcome hooks `_policy_on_approved` / `_policy_on_rejected`.

    Its reviews (`sale.policy.review`) point back to it through `res_model` / `res_id`;
    a subject that belongs to a sales order also sets `order_id` on them, which the record
    rules, the KPIs and the SLA reports read.
    """

    _name = "sale.policy.reviewable.mixin"
    _description = "Sales Policy Reviewable Document"

    # The integer field counting the subject's submissions (review rounds).
    _policy_round_field = "review_round"
    # Whether a submission locks `_policy_lock_records()` first.
    _policy_lock_on_submit = True

    # ------------------------------------------------------------------
    # Getters the subject declares
    # ------------------------------------------------------------------

    def _policy_applies_to(self):
        """The `applies_to` key of the rules (and reviews) of this submission."""
        raise NotImplementedError(self._name)

    def _policy_order(self):
        """The sales order the subject belongs to (its reviews carry it), if any."""
        return self.env["sale.order"]

    def _policy_company(self):
        self.ensure_one()
        return self.company_id

    def _policy_document(self):
        """The record whose chatter and activities show the reviews: the order, if any."""
        self.ensure_one()
        return self._policy_order() or self

    def _policy_owners(self):
        """Users never asked to review the subject (its authors)."""
        self.ensure_one()
        return self.create_uid

    def _policy_parties(self):
        """Users who may never decide a review of the subject."""
        return self._policy_owners()

    def _policy_party_error(self, user):
        """Why `user` may not decide a review of the subject (a party to it), or False."""
        self.ensure_one()
        if user in self._policy_parties():
            return self.env._(
                "You cannot approve or reject %(name)s: you are a party to it.",
                name=self.display_name,
            )
        return False

    def _policy_is_urgent(self):
        """An urgent subject gets the company's shorter review deadline."""
        return False

    def _policy_amount_company(self):
        """The amount (company currency) the rules' minimum amount is compared with."""
        return 0.0

    def _policy_review_values(self):
        """Values every review of the subject carries (the amount shown to reviewers)."""
        self.ensure_one()
        order = self._policy_order()
        # The currency first: caching the amount then needs no query for it.
        return {
            "order_id": order.id,
            "currency_id": order.currency_id.id,
            "amount_total": order.amount_total,
        }

    def _policy_review_checks(self):
        """Check results the rules look at (warnings and blocks trigger rules)."""
        return self.env["sale.policy.check"]

    def _policy_is_under_review(self):
        """Whether the steps of the subject may be decided now."""
        raise NotImplementedError(self._name)

    def _policy_not_under_review_message(self):
        return self.env._(
            "%(name)s is no longer under review: its steps cannot be decided.",
            name=self.display_name,
        )

    def _policy_lock_records(self):
        """The rows locked by a submission and touched by each decision, so that two of
        them on one subject are serialised."""
        return self

    def _policy_reviews(self):
        """Every review of the subject (as superuser)."""
        self.ensure_one()
        return (
            self.env["sale.policy.review"]
            .sudo()
            .search([("res_model", "=", self._name), ("res_id", "=", self.id)])
        )

    # ------------------------------------------------------------------
    # Log
    # ------------------------------------------------------------------

    def _policy_log_values(self):
        """Extra values of the subject's log lines (e.g. the link to the subject)."""
        return {}

    def _policy_log(self, event, comment=None, review=None, on_behalf_of=None):
        self.ensure_one()
        return self.env["sale.policy.log"]._policy_add(
            self._policy_order(),
            event,
            comment=comment,
            review=review,
            on_behalf_of=on_behalf_of,
            company_id=self._policy_company().id,
            **self._policy_log_values(),
        )

    def _policy_submit_log_event(self):
        return "submit"

    def _policy_log_summary(self):
        """The comment of the submission's log line."""
        return None

    # ------------------------------------------------------------------
    # Submission
    # ------------------------------------------------------------------

    def _policy_lock(self):
        """Lock the subject's rows until the end of the transaction. Under repeatable read,
        a row changed by a concurrent transaction since this one began fails the lock (and
        Odoo retries the request): what was read before is current."""
        records = self._policy_lock_records()
        if records and self._policy_lock_on_submit:
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM %s WHERE id IN %s FOR UPDATE",
                    SQL.identifier(records._table),
                    tuple(records.ids),
                )
            )

    def _policy_prepare_submission(self, review_round):
        """Refuse what cannot be submitted; return the check results the rules look at."""
        return self._policy_review_checks()

    def _policy_settle_without_review(self):
        """Settle the subject without any review (True), e.g. a request that needs none."""
        return False

    def _policy_submission_values(self, review_round):
        """Values written on the subject when it goes under review."""
        return {self._policy_round_field: review_round}

    def _policy_mark_submitted(self, review_round):
        """Put the subject under review (engine only, before its round opens)."""
        self.write(self._policy_submission_values(review_round))

    def _policy_submit(self):
        """Submit the subject: a new round of reviews, or its approval when no rule applies.

        Returns the reviews of the round."""
        self.ensure_one()
        self._policy_lock()
        review_round = (self[self._policy_round_field] or 0) + 1
        checks = self._policy_prepare_submission(review_round)
        if self._policy_settle_without_review():
            return self.env["sale.policy.review"]
        with policy_privileged():
            self._policy_mark_submitted(review_round)
            self._policy_log(self._policy_submit_log_event(), comment=self._policy_log_summary())
            reviews = self.env["sale.policy.review"]._policy_start_round(
                self, review_round, checks=checks
            )
        if reviews:
            self._policy_on_submitted(reviews)
        else:
            reason = self._policy_auto_approve_reason()
            with policy_privileged():
                self._policy_log("auto_approve", comment=reason)
            self._policy_on_approved(reason)
        return reviews

    def _policy_auto_approve_reason(self):
        return self.env._("No approval rule applies to %(name)s.", name=self.display_name)

    def _policy_on_submitted(self, reviews):
        """A round opened: tell the subject's readers which steps review it."""
        body = self.env._(
            "%(name)s submitted for approval: %(steps)s.",
            name=self.display_name,
            steps=", ".join(reviews.sorted("sequence").mapped("name")),
        )
        document = self._policy_document()
        for record in (self, document) if document._name != self._name else (self,):
            record.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")

    # ------------------------------------------------------------------
    # Outcome hooks
    # ------------------------------------------------------------------

    def _policy_on_approved(self, reason=None):
        """Every review of the round approved, or none needed (`reason` says why)."""
        raise NotImplementedError(self._name)

    def _policy_on_rejected(self, review):
        """`review` rejected the round (its other open steps are cancelled)."""
        raise NotImplementedError(self._name)

    # ------------------------------------------------------------------
    # Decisions
    # ------------------------------------------------------------------

    def _policy_decision_reviews(self):
        """The reviews a user decides from the subject's form."""
        return self._policy_reviews()

    def _policy_my_pending_reviews(self):
        """The subject's open steps the current user may decide (as superuser)."""
        self.ensure_one()
        return (
            self._policy_decision_reviews()
            .sudo()
            .filtered(lambda r: r.state == "pending" and r.can_decide)
        )

    def _policy_my_reviews_or_raise(self):
        reviews = self._policy_my_pending_reviews()
        if not reviews:
            raise UserError(
                self.env._("You have no pending review on %(name)s.", name=self.display_name)
            )
        return reviews.with_env(self.env)

    def action_approve(self, comment=None):
        """Approve my pending steps of the subject (API; the button opens the dialog)."""
        self._policy_my_reviews_or_raise().action_approve(comment)
        return True

    def action_reject(self, reason=None):
        """Reject my pending steps of the subject (API; the button opens the dialog)."""
        self._policy_my_reviews_or_raise().action_reject(reason)
        return True

    def action_open_approve_dialog(self):
        return self._policy_my_reviews_or_raise().action_open_approve_dialog()

    def action_open_reject_dialog(self):
        return self._policy_my_reviews_or_raise().action_open_reject_dialog()
