import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY

from ..tools.cron import trigger_cron_now
from .sale_policy_protected_mixin import is_policy_privileged, policy_privileged

_logger = logging.getLogger(__name__)

NOTIFY_CRON_XMLID = "sale_order_policy.ir_cron_sale_policy_notify_activities"
REVIEW_ACTIVITY_TYPE_XMLID = "sale_order_policy.mail_activity_type_policy_review"


class MailActivity(models.Model):
    """Policy activities (reviews, hand-offs) are created inside the user's transaction;
    Odoo's own "assigned to you" notification of each one is sent right after the commit
    by a triggered cron, so that submitting or confirming an order does not build one
    e-mail per assignee while it holds the order.

    Review activities (type `mail_activity_type_policy_review`, one per reviewer of an
    opened step, in `sale.policy.review.activity_ids`) belong to the review engine: they
    close with the decision, so outside `policy_privileged()` nobody creates, marks done,
    changes or deletes them."""

    _inherit = "mail.activity"

    policy_notify_pending = fields.Boolean(
        string="Assignment Notification Pending", copy=False, readonly=True, index=True
    )

    @api.model_create_multi
    def create(self, vals_list):
        if not is_policy_privileged():
            review_type_id = self._policy_review_type_id()
            if review_type_id and any(
                vals.get("activity_type_id") == review_type_id for vals in vals_list
            ):
                self._policy_refuse_review_type()
        return super().create(vals_list)

    def write(self, vals):
        if not is_policy_privileged():
            self._policy_check_not_review("write")
            review_type_id = self._policy_review_type_id()
            if review_type_id and vals.get("activity_type_id") == review_type_id:
                self._policy_refuse_review_type()
        return super().write(vals)

    # Checked at uninstall too, so that the `_force_unlink` context key does not skip it:
    # uninstalling the module deletes no activity through the ORM.
    @api.ondelete(at_uninstall=True)
    def _unlink_except_policy_review(self):
        if is_policy_privileged():
            return
        # Odoo's mail.activity.mixin deletes the activities of a deleted document after it.
        self._policy_check_not_review("unlink", only_existing_documents=True)

    def _action_done(self, feedback=False, attachment_ids=None):
        # Every "mark done" (action_done, action_feedback, action_feedback_schedule_next,
        # action_done_schedule_next, action_done_redirect_to_other) passes here.
        if not is_policy_privileged():
            self._policy_check_not_review("done")
        return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)

    def _policy_review_type_id(self):
        # From the cached xmlid table; False once the module's data is gone.
        return self.env["ir.model.data"]._xmlid_to_res_id(
            REVIEW_ACTIVITY_TYPE_XMLID, raise_if_not_found=False
        )

    def _policy_review_activities(self):
        """The review activities among these (the activity type of review steps)."""
        review_type_id = self._policy_review_type_id()
        if not review_type_id:
            return self.browse()
        return (
            self.sudo()
            .filtered(lambda activity: activity.activity_type_id.id == review_type_id)
            .with_env(self.env)
        )

    def _policy_check_not_review(self, operation, only_existing_documents=False):
        reviews = self._policy_review_activities().sudo()
        if only_existing_documents:
            reviews = reviews.filtered(
                lambda activity: activity.res_model in self.env
                and self.env[activity.res_model].browse(activity.res_id).exists()
            )
        if not reviews:
            return
        activity = reviews[0]
        params = {"activity": activity.display_name, "document": activity.res_name}
        if operation == "done":
            message = self.env._(
                "The review activity “%(activity)s” on %(document)s closes with the "
                "reviewer's decision: approve or reject the review step instead of marking "
                "the activity done.",
                **params,
            )
        elif operation == "write":
            message = self.env._(
                "The review activity “%(activity)s” on %(document)s belongs to the approval "
                "engine and cannot be reassigned or changed. To hand your reviews over to a "
                "colleague, create a delegation.",
                **params,
            )
        else:
            message = self.env._(
                "The review activity “%(activity)s” on %(document)s cannot be deleted: it "
                "closes with the reviewer's decision (approve or reject).",
                **params,
            )
        raise UserError(message)

    def _policy_refuse_review_type(self):
        raise UserError(
            self.env._(
                "Review activities are scheduled by the approval engine when an order is "
                "submitted for review. Choose another activity type."
            )
        )

    @api.model
    def _policy_create_deferred(self, vals_list):
        """Create activities now and notify their assignees from the cron. Returns them in
        the order of `vals_list`."""
        for vals in vals_list:
            vals["policy_notify_pending"] = vals.get("user_id") not in (False, self.env.uid)
        # Odoo subscribes each assignee to the document in `create`, and would insert the
        # same follower twice for two activities of one user on one document (a reviewer
        # of two parallel steps): such repeats go to a later batch.
        batches = []  # [(keys, indexes)]
        for index, vals in enumerate(vals_list):
            key = (vals.get("res_model_id"), vals.get("res_id"), vals.get("user_id"))
            batch = next((batch for batch in batches if key not in batch[0]), None)
            if batch is None:
                batch = (set(), [])
                batches.append(batch)
            batch[0].add(key)
            batch[1].append(index)
        Activity = self.with_context(mail_activity_quick_update=True)
        created = {}
        for _keys, indexes in batches:
            records = Activity.create([vals_list[index] for index in indexes])
            created.update(zip(indexes, records.ids, strict=True))
        if any(vals["policy_notify_pending"] for vals in vals_list):
            trigger_cron_now(self.env, NOTIFY_CRON_XMLID)
        return self.browse([created[index] for index in range(len(vals_list))])

    @api.model
    def _cron_policy_notify(self, batch_size=200):
        """Send the pending assignment notifications, authored by whoever created each
        activity, in the assignee's language (Odoo's `action_notify`)."""
        pending = self.sudo().search(
            [("policy_notify_pending", "=", True)], order="id", limit=batch_size
        )
        retry = self.browse()
        for creator, activities in pending.grouped("create_uid").items():
            try:
                with self.env.cr.savepoint():
                    activities.with_user(creator).sudo().action_notify()
            except Exception as error:
                # A user's transaction holds the document (Odoo writes the order's portal
                # token when it builds the e-mail): these go out on the next run.
                if getattr(error, "pgcode", None) in PG_CONCURRENCY_ERRORS_TO_RETRY:
                    retry |= activities
                    continue
                _logger.exception("Order policy: could not notify activities %s", activities.ids)
        with policy_privileged():
            (pending - retry).exists().write({"policy_notify_pending": False})
        if retry:
            self._policy_notify_cron()._trigger(fields.Datetime.now() + timedelta(minutes=1))
        # Odoo's cron runner calls the job again while some remain.
        self.env["ir.cron"]._notify_progress(
            done=len(pending),
            remaining=self.sudo().search_count([("policy_notify_pending", "=", True)]),
        )

    def _policy_notify_cron(self):
        # From the cached xmlid table: env.ref() would query the cron's existence.
        cron_id = self.env["ir.model.data"]._xmlid_to_res_id(NOTIFY_CRON_XMLID)
        return self.env["ir.cron"].sudo().browse(cron_id)
