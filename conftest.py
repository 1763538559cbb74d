"""A skipped test is a hidden failure here: a missing browser or dependency must fail the run."""

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and not getattr(item, "_sop_allow_skip", False):
        reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"Skipped test counts as a failure: {reason}"
