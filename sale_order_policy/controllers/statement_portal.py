from werkzeug.urls import url_encode

from odoo import http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import content_disposition, request

PORTAL_STATES = ("sent", "confirmed", "disputed")


class SalePolicyStatementPortal(CustomerPortal):
    """The customer's statements of account (对账单): read, confirm or dispute."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "statement_count" in counters:
            Statement = request.env["sale.policy.statement"]
            values["statement_count"] = (
                Statement.search_count(self._statement_domain())
                if Statement.has_access("read")
                else 0
            )
        return values

    def _statement_domain(self):
        partner = request.env.user.partner_id.commercial_partner_id
        return [("partner_id", "=", partner.id), ("state", "in", PORTAL_STATES)]

    @http.route(
        ["/my/statements", "/my/statements/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_statements(self, page=1, **kw):
        Statement = request.env["sale.policy.statement"]
        domain = self._statement_domain()
        pager = portal_pager(
            url="/my/statements",
            total=Statement.search_count(domain),
            page=page,
            step=self._items_per_page,
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "statements": Statement.search(
                    domain, limit=self._items_per_page, offset=pager["offset"]
                ),
                "pager": pager,
                "page_name": "statement",
                "default_url": "/my/statements",
            }
        )
        return request.render("sale_order_policy.portal_my_statements", values)

    @http.route("/my/statements/<int:statement_id>", type="http", auth="public", website=True)
    def portal_statement_page(self, statement_id, access_token=None, report_type=None, **kw):
        try:
            statement_sudo = self._document_check_access(
                "sale.policy.statement", statement_id, access_token=access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        if statement_sudo.state not in PORTAL_STATES:
            return request.redirect("/my")
        if report_type in ("html", "pdf", "text"):
            return self._show_report(
                model=statement_sudo,
                report_type=report_type,
                report_ref="sale_order_policy.action_report_sale_policy_statement",
                download=kw.get("download") == "true",
            )
        values = self._get_page_view_values(
            statement_sudo,
            access_token,
            {
                "statement": statement_sudo,
                "page_name": "statement",
                "message": kw.get("message"),
                "error": kw.get("error"),
                "report_type": "html",
            },
            "my_statements_history",
            False,
        )
        return request.render("sale_order_policy.portal_statement_page", values)

    @http.route(
        "/my/statements/<int:statement_id>/answer",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_statement_answer(
        self, statement_id, answer=None, note=None, access_token=None, **kw
    ):
        try:
            statement_sudo = self._document_check_access(
                "sale.policy.statement", statement_id, access_token=access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        if answer not in ("confirm", "dispute") or statement_sudo.state not in PORTAL_STATES:
            return request.redirect("/my")
        partner = (
            request.env.user.partner_id
            if not request.env.user._is_public()
            else statement_sudo.partner_id
        )
        query = {}
        try:
            statement_sudo._policy_customer_answer(answer, (note or "").strip(), partner)
            query["message"] = answer
        except UserError as error:
            query["error"] = str(error)
        return request.redirect(statement_sudo.get_portal_url(query_string="&" + url_encode(query)))

    @http.route("/sale_order_policy/statement/<int:statement_id>/xlsx", type="http", auth="user")
    def statement_xlsx(self, statement_id, **kw):
        statement = request.env["sale.policy.statement"].browse(statement_id).exists()
        if not statement:
            raise request.not_found()
        statement.check_access("read")
        content = request.env["sale.policy.statement.xlsx"]._policy_generate(statement)
        return request.make_response(
            content,
            headers=[
                (
                    "Content-Type",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
                ("Content-Disposition", content_disposition(statement._policy_file_name("xlsx"))),
            ],
        )
