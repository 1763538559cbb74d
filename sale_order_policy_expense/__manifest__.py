{
    "name": "Sales Order Policy - Expenses",
    "summary": "Re-invoiced expenses change confirmed orders as Odoo's own work, logged with "
    "the expense report",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "sale_order_policy contributors",
    "website": "https://github.com/sale-order-policy/sale_order_policy",
    "depends": ["sale_order_policy", "sale_expense"],
    "installable": True,
    "auto_install": True,
}
