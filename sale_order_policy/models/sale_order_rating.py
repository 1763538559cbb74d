from datetime import timedelta

from odoo import api, fields, models


class SaleOrder(models.Model):
    """After-sales satisfaction (售后满意度) through Odoo's rating machinery."""

    _name = "sale.order"  # required when adding a mixin to an existing model
    _inherit = ["rating.mixin", "sale.order"]

    # Read on the form only, not with every other field of the order.
    rating_ids = fields.One2many(prefetch=False)
    policy_rating_requested_on = fields.Datetime(
        string="Satisfaction Requested on",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )

    def _policy_send_rating_request(self):
        """Email the rating request (rating links and feedback page) and plan the 回访."""
        template = self.env.ref("sale_order_policy.mail_template_policy_rating_request")
        now = fields.Datetime.now()
        for order in self:
            order.rating_send_request(template, lang=order.partner_id.lang, force_send=False)
            order.policy_rating_requested_on = now
            order.activity_schedule(
                "sale_order_policy.mail_activity_type_policy_return_visit",
                user_id=order.user_id.id or self.env.uid,
                summary=self.env._("Return visit after delivery of %(order)s", order=order.name),
            )

    def rating_apply(
        self,
        rate,
        token=None,
        rating=None,
        feedback=None,
        subtype_xmlid=None,
        notify_delay_send=False,
    ):
        rating = super().rating_apply(
            rate,
            token=token,
            rating=rating,
            feedback=feedback,
            subtype_xmlid=subtype_xmlid,
            notify_delay_send=notify_delay_send,
        )
        if rating.res_model == self._name:
            order = self.browse(rating.res_id)
            if 0 < rating.rating <= order.company_id.sale_policy_rating_low:
                order._policy_on_low_rating(rating)
        return rating

    def _policy_on_low_rating(self, rating):
        """A dissatisfied customer: a quality exception (异常订单) and an urgent 回访."""
        self.ensure_one()
        message = self.env._(
            "The customer rated %(order)s %(rating)s/5: %(feedback)s",
            order=self.name,
            rating=int(rating.rating),
            feedback=rating.feedback or self.env._("no comment"),
        )
        self.env["sale.policy.exception"].sudo()._policy_raise(self, "quality", message)
        self.sudo().activity_schedule(
            "sale_order_policy.mail_activity_type_policy_return_visit",
            user_id=self.user_id.id or self.env.uid,
            date_deadline=fields.Date.context_today(self),
            summary=self.env._(
                "Low satisfaction on %(order)s: visit the customer", order=self.name
            ),
            note=message,
        )

    @api.model
    def _cron_send_rating_request(self):
        now = fields.Datetime.now()
        companies = self.env["res.company"].search([("sale_policy_rating_days", ">", 0)])
        sent = 0
        for company in companies:
            cutoff = now - timedelta(days=company.sale_policy_rating_days)
            domain = [
                ("company_id", "=", company.id),
                ("state", "=", "sale"),
                ("policy_delivered_on", "<=", cutoff),
                ("policy_rating_requested_on", "=", False),
                ("partner_id.email", "!=", False),
            ]
            orders = self.search(domain)
            orders._policy_send_rating_request()
            sent += len(orders)
        self.env["ir.cron"]._notify_progress(done=sent, remaining=0)
