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

    def action_policy_record_return_visit(self):
        """The salesperson records what the customer said on the phone, WeChat or on site."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Record Return Visit"),
            "res_model": "sale.policy.return.visit",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_order_id": self.id},
        }

    def _policy_send_rating_request(self):
        """Ask every delivered customer (售后回访): by e-mail (rating links and feedback
        page) when it has an address, and always a 回访 activity for the salesperson, who
        records what customers without e-mail say by phone, WeChat or on site."""
        template = self.env.ref("sale_order_policy.mail_template_policy_rating_request")
        self.write({"policy_rating_requested_on": fields.Datetime.now()})
        for order in self:
            has_email = bool(order._rating_get_partner().email)
            if has_email:
                order.rating_send_request(template, lang=order.partner_id.lang, force_send=False)
            order.activity_schedule(
                "sale_order_policy.mail_activity_type_policy_return_visit",
                user_id=order.user_id.id or self.env.uid,
                summary=self.env._("Return visit after delivery of %(order)s", order=order.name),
                note=False
                if has_email
                else self.env._(
                    "The customer has no e-mail address: call or message them and record "
                    "their rating with Record Return Visit."
                ),
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
            if not rating.policy_channel:
                rating.policy_channel = "email"
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
            ]
            orders = self.search(domain)
            orders._policy_send_rating_request()
            sent += len(orders)
        self.env["ir.cron"]._notify_progress(done=sent, remaining=0)
