from . import (
    test_after_sales_rating,
    test_approval_chain,
    test_dunning,
    test_order_tracking,
    test_receivable_aging,
    test_settlement,
    test_settlement_tour,
)
