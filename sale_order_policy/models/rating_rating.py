from odoo import fields, models

RETURN_VISIT_CHANNELS = [
    ("phone", "Phone"),
    ("wechat", "WeChat"),
    ("visit", "On-site Visit"),
    ("email", "E-mail"),
]


class RatingRating(models.Model):
    _inherit = "rating.rating"

    policy_channel = fields.Selection(
        RETURN_VISIT_CHANNELS,
        string="Channel",
        help="How the customer gave this rating: answering the e-mail, or during a return "
        "visit (回访) by phone, WeChat or on site recorded by the salesperson.",
    )
