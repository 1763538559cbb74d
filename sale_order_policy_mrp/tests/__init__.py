from . import test_reviewer_reads_kit_orders
