{
    "name": "Sales Order Policy - Review Engine Test Subject",
    "summary": "A test-only document reviewed by the sales order policy's review engine",
    "version": "18.0.1.0.0",
    "category": "Hidden/Tests",
    "license": "LGPL-3",
    "author": "sale_order_policy contributors",
    "website": "https://github.com/sale-order-policy/sale_order_policy",
    "depends": ["sale_order_policy"],
    "data": ["security/ir.model.access.csv"],
    "installable": True,
    "auto_install": False,
}
