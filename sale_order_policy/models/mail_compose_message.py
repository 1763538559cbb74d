from odoo import models


class MailComposeMessage(models.TransientModel):
    _inherit = "mail.compose.message"

    def _action_send_mail(self, auto_commit=False):
        # Mass mailing writes the e-mails itself, without message_post.
        for wizard in self.filtered(
            lambda w: w.model == "sale.order" and w.composition_mode == "mass_mail"
        ):
            wizard.env["sale.order"].browse(wizard._evaluate_res_ids())._policy_check_may_send()
        return super()._action_send_mail(auto_commit=auto_commit)
