{
    "name": "Sales Order Policy",
    "summary": "Enforce the sales order management policy: checks, approval chain, "
    "24-hour SLA, exceptions, change control, settlement and KPIs",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "sale_order_policy contributors",
    "website": "https://github.com/sale-order-policy/sale_order_policy",
    "depends": [
        "sale_management",
        "sale_stock",
        "resource",
        "rating",
    ],
    "external_dependencies": {"python": ["xlsxwriter"]},
    "data": [
        "security/sale_order_policy_groups.xml",
        "security/ir.model.access.csv",
        "security/sale_order_policy_security.xml",
        "data/sale_policy_check_type_data.xml",
        "data/mail_activity_type_data.xml",
        "data/sale_policy_rule_data.xml",
        "data/ir_cron_data.xml",
        "views/sale_policy_check_type_views.xml",
        "views/sale_policy_rule_views.xml",
        "views/sale_policy_review_views.xml",
        "views/sale_policy_log_views.xml",
        "views/sale_policy_delegation_views.xml",
        "views/sale_order_views.xml",
        "views/res_config_settings_views.xml",
        "wizards/sale_policy_reject_views.xml",
        "reports/sale_policy_approval_sheet.xml",
        "views/sale_order_policy_menus.xml",
    ],
    "demo": [
        "demo/sale_order_policy_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "sale_order_policy/static/src/**/*",
        ],
        "web.assets_tests": [
            "sale_order_policy/static/tests/tours/**/*",
        ],
    },
    "installable": True,
    "application": False,
}
