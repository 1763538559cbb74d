from . import test_approval_chain, test_order_tracking
