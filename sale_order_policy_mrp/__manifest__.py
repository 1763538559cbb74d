{
    "name": "Sales Order Policy - Manufacturing",
    "summary": "Reviewers without manufacturing rights read the orders of products with a "
    "bill of materials",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "sale_order_policy contributors",
    "website": "https://github.com/sale-order-policy/sale_order_policy",
    "depends": ["sale_order_policy", "sale_mrp"],
    "data": ["security/ir.model.access.csv"],
    "installable": True,
    "auto_install": True,
}
