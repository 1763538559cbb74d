from odoo import api, models
from odoo.exceptions import AccessError


class ReportSalePolicyApprovalSheet(models.AbstractModel):
    """The 审批单: internal users only, showing the version that was approved."""

    _name = "report.sale_order_policy.report_approval_sheet"
    _description = "Sales Order Approval Sheet"

    @api.model
    def _get_report_values(self, docids, data=None):
        if not self.env.user._is_internal():
            raise AccessError(self.env._("The approval sheet is for internal users only."))
        docs = self.env["sale.order"].browse(docids)
        docs.check_access("read")
        return {"doc_ids": docids, "doc_model": "sale.order", "docs": docs}
