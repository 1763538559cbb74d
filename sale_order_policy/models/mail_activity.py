import logging

from odoo import api, fields, models

_logger = logging.getLogger(__name__)

NOTIFY_CRON_XMLID = "sale_order_policy.ir_cron_sale_policy_notify_activities"


class MailActivity(models.Model):
    """Policy activities (reviews, hand-offs) are created inside the user's transaction;
    Odoo's own "assigned to you" notification of each one is sent right after the commit
    by a triggered cron, so that submitting or confirming an order does not build one
    e-mail per assignee while it holds the order."""

    _inherit = "mail.activity"

    policy_notify_pending = fields.Boolean(
        string="Assignment Notification Pending", copy=False, readonly=True, index=True
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
            self._policy_notify_cron()._trigger()
        return self.browse([created[index] for index in range(len(vals_list))])

    @api.model
    def _cron_policy_notify(self, batch_size=200):
        """Send the pending assignment notifications, authored by whoever created each
        activity, in the assignee's language (Odoo's `action_notify`)."""
        pending = self.sudo().search(
            [("policy_notify_pending", "=", True)], order="id", limit=batch_size
        )
        for creator, activities in pending.grouped("create_uid").items():
            try:
                with self.env.cr.savepoint():
                    activities.with_user(creator).sudo().action_notify()
            except Exception:
                _logger.exception("Order policy: could not notify activities %s", activities.ids)
        pending.exists().write({"policy_notify_pending": False})
        # Odoo's cron runner calls the job again while some remain.
        self.env["ir.cron"]._notify_progress(
            done=len(pending),
            remaining=self.sudo().search_count([("policy_notify_pending", "=", True)]),
        )

    def _policy_notify_cron(self):
        # From the cached xmlid table: env.ref() would query the cron's existence.
        cron_id = self.env["ir.model.data"]._xmlid_to_res_id(NOTIFY_CRON_XMLID)
        return self.env["ir.cron"].sudo().browse(cron_id)
