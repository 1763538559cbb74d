import base64
import contextlib
import pathlib
from unittest.mock import patch

from odoo.tests import tagged
from odoo.tests.common import ChromeBrowser
from odoo.tools import config

from .common import SalePolicyHttpCase


@tagged("post_install", "-at_install")
class TestPhoneWidth(SalePolicyHttpCase):
    """A reviewer decides on a phone: My Reviews (cards and list) and the decision dialog
    fit a 390 px wide touch screen (the tours check that nothing is wider than the
    screen). Each tour leaves a screenshot of its last page in Odoo's screenshots
    directory: ``<screenshots>/<db>/screenshots/phone_*.png``."""

    browser_size = "390x844"
    touch_enabled = True

    @contextlib.contextmanager
    def _screenshot_at_the_end(self, name):
        """Capture the page when the tour has succeeded, before the browser closes."""
        folder = pathlib.Path(config["screenshots"]) / self.env.cr.dbname / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"phone_{name}.png"
        stop = ChromeBrowser.stop

        def capture_then_stop(browser):
            if browser.ws is not None:
                result = browser._websocket_request("Page.captureScreenshot", timeout=30)
                path.write_bytes(base64.b64decode(result["data"]))
            return stop(browser)

        with patch.object(ChromeBrowser, "stop", capture_then_stop):
            yield path
        self.assertTrue(path.stat().st_size, f"screenshot {path}")

    def test_my_reviews_and_decision_dialog_at_390px(self):
        self._make_rule("Sales Head", 10, reviewer_type="team_leader")
        self.customer.name = "Phone Customer"
        order = self._make_order()
        order.with_user(self.salesman).action_submit_for_review()
        action = "/odoo/action-sale_order_policy.sale_policy_review_action_my"

        with self._screenshot_at_the_end("my_reviews_kanban"):
            self.start_tour(action, "sale_policy_phone_my_reviews_kanban", login="sop_head")
        with self._screenshot_at_the_end("my_reviews_list"):
            self.start_tour(action, "sale_policy_phone_my_reviews_list", login="sop_head")
        with self._screenshot_at_the_end("decision_dialog"):
            self.start_tour(action, "sale_policy_phone_decision_dialog", login="sop_head")
        self.start_tour(action, "sale_policy_phone_decide", login="sop_head")
        self.assertEqual(order.approval_state, "approved")
        self.assertEqual(order.policy_review_ids.comment, "同意")
