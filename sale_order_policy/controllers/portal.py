from odoo import http
from odoo.addons.sale.controllers.portal import CustomerPortal

from ..models.sale_policy_protected_mixin import policy_system_change


class SalePolicyCustomerPortal(CustomerPortal):
    @http.route()
    def portal_quote_decline(self, order_id, access_token=None, decline_message=None, **kwargs):
        # The customer's own decision: an approved quotation may be declined (logged).
        with policy_system_change(http.request.env._("the customer's decline on the portal")):
            return super().portal_quote_decline(
                order_id, access_token=access_token, decline_message=decline_message, **kwargs
            )
