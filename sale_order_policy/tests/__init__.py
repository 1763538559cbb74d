from . import (
    test_approval_chain,
    test_kpi_report,
    test_order_exception_tour,
    test_order_handoff_optional,
    test_order_tracking,
)
