from . import test_approval_chain, test_kpi_report
