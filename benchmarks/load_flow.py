"""What the load clients do: the data they need (created over RPC) and one order's life,
in Odoo alone (create, confirm) or with the policy (create, submit, the reviewers'
approvals, confirm). Every call cut by a crash is retried; a retry that finds its work
already done counts as a success, once."""

import threading
import time

from loadlib import CallCut, Rpc, RpcError

PASSWORD = "load"


def _ref(admin, xmlid):
    module, name = xmlid.split(".")
    return admin("ir.model.data", "check_object_reference", module, name)[1]


def _users(admin, prefix, count, groups, tag):
    return [
        admin(
            "res.users",
            "create",
            {
                "name": f"{prefix} {i}",
                "login": f"{prefix}{i}-{tag}",
                "password": PASSWORD,
                "email": f"{prefix}{i}-{tag}@example.com",
                "groups_id": [(6, 0, groups)],
            },
        )
        for i in range(count)
    ]


def setup_common(admin, n_clients, n_sales):
    """Salespeople, one customer per client (Odoo updates the customer on confirmation:
    a shared one would serialise everything) and a consumable product (a delivery)."""
    tag = str(int(time.time()))
    groups = [_ref(admin, "base.group_user"), _ref(admin, "sales_team.group_sale_salesman")]
    sales = _users(admin, "load-sales", n_sales, groups, tag)
    partners = [
        admin(
            "res.partner",
            "create",
            {"name": f"Load customer {tag}-{i}", "email": f"load{i}@example.com", "phone": "1"},
        )
        for i in range(n_clients)
    ]
    product = admin(
        "product.product",
        "create",
        {"name": f"Load item {tag}", "type": "consu", "list_price": 100.0, "taxes_id": [(5,)]},
    )
    logins = [u["login"] for u in admin("res.users", "read", sales, ["login"])]
    return {
        "tag": tag,
        "sales": logins,
        "partners": partners,
        "product": product,
        "term": _ref(admin, "account.account_payment_term_immediate"),
        "policy": False,
    }


def setup_policy(admin, ctx, n_reviewers, sla_hours=24.0):
    """The shipped chain's shape: sales head then finance, reviewers by users; an
    escalation manager for breached steps; a warehouse hand-off user."""
    company_id = admin("res.users", "read", [admin.uid], ["company_id"])[0]["company_id"][0]
    user, manager = _ref(admin, "base.group_user"), _ref(admin, "sales_team.group_sale_manager")
    finance = _ref(admin, "sale_order_policy.group_finance_reviewer")
    stock = _ref(admin, "stock.group_stock_user")
    tag = ctx["tag"]
    heads = _users(admin, "load-head", n_reviewers, [user, manager], tag)
    fins = _users(admin, "load-fin", n_reviewers, [user, finance], tag)
    (escalation,) = _users(admin, "load-boss", 1, [user, manager], tag)
    (warehouse,) = _users(admin, "load-wh", 1, [user, stock], tag)
    admin(
        "res.company",
        "write",
        [company_id],
        {
            "sale_policy_enabled": True,
            "account_use_credit_limit": False,
            "sale_policy_handoff_user_id": warehouse,
        },
    )
    old = admin("sale.policy.rule", "search", [("company_id", "=", company_id)])
    admin("sale.policy.rule", "write", old, {"active": False})
    for sequence, name, reviewers in ((10, "Load: sales head", heads), (20, "Load: finance", fins)):
        admin(
            "sale.policy.rule",
            "create",
            {
                "name": name,
                "sequence": sequence,
                "company_id": company_id,
                "reviewer_type": "users",
                "reviewer_user_ids": [(6, 0, reviewers)],
                "sla_hours": sla_hours,
                "escalation_user_ids": [(6, 0, [escalation])],
            },
        )
    logins = lambda ids: [u["login"] for u in admin("res.users", "read", ids, ["login"])]  # noqa: E731
    ctx.update(policy=True, heads=logins(heads), finance=logins(fins), escalation=escalation)
    return ctx


def order_vals(ctx, partner, key, quantity):
    vals = {
        "partner_id": partner,
        "payment_term_id": ctx["term"],
        "commitment_date": "2099-01-01 08:00:00",
        "client_order_ref": key,
        "order_line": [
            (0, 0, {"product_id": ctx["product"], "product_uom_qty": quantity, "price_unit": 100})
        ],
    }
    if ctx["policy"]:
        vals.update(intake_channel="phone", customer_confirmation_method="phone")
    return vals


class Client:
    """One simulated desk: a salesperson and, with the policy, two sales heads and a
    finance reviewer, all on the same server."""

    def __init__(self, url, db, ctx, stats, rng, partner, index):
        self.ctx, self.stats, self.rng, self.partner = ctx, stats, rng, partner
        self.index = index
        self.sales = Rpc(url, db, rng.choice(ctx["sales"]), PASSWORD)
        self.heads, self.fin = [], None
        if ctx["policy"]:
            self.heads = [Rpc(url, db, login, PASSWORD) for login in rng.sample(ctx["heads"], 2)]
            self.fin = Rpc(url, db, rng.choice(ctx["finance"]), PASSWORD)

    def retried(self, name, func, resolve):
        """`func()`, timed; when the connection is cut, sent again until it answers.
        `resolve(error)` says whether a retry's refusal means the first try went through."""
        cut = False
        for _attempt in range(6):
            try:
                return self.stats.timed(name, func)
            except CallCut:
                cut = True
                self.stats.count(f"{name}: call cut by a crash, retried")
                time.sleep(1.0)
            except RpcError as error:
                if cut and resolve(error):
                    self.stats.count(f"{name}: retry found it done")
                    return None
                raise
        raise RpcError(f"{name}: no answer after 6 tries")

    def create(self, key, quantity):
        vals = order_vals(self.ctx, self.partner, key, quantity)
        for _attempt in range(6):
            try:
                return self.stats.timed("create", self.sales, "sale.order", "create", vals)
            except CallCut:
                self.stats.count("create: call cut by a crash, retried")
                time.sleep(1.0)
                found = self.sales("sale.order", "search", [("client_order_ref", "=", key)])
                if found:
                    self.stats.count("create: retry found it done")
                    return found[0]
        raise RpcError("create: no answer after 6 tries")

    def _order_state(self, order):
        return self.sales("sale.order", "read", [order], ["state", "approval_state"])[0]

    def submit(self, order):
        self.retried(
            "submit",
            lambda: self.sales("sale.order", "action_submit_for_review", [order]),
            lambda _error: self._order_state(order)["approval_state"] != "draft",
        )

    def confirm(self, order):
        self.retried(
            "confirm",
            lambda: self.sales("sale.order", "action_confirm", [order]),
            lambda _error: self._order_state(order)["state"] == "sale",
        )

    def approve(self, rpc, review):
        """True when this reviewer's approval decided the step."""

        def mine(error):
            if "already" not in str(error):
                return False
            rows = rpc("sale.policy.review", "read", review, ["decided_by_id"])
            return bool(
                rows and rows[0]["decided_by_id"] and rows[0]["decided_by_id"][0] == rpc.uid
            )

        try:
            self.retried(
                "approve", lambda: rpc("sale.policy.review", "action_approve", review), mine
            )
            return True
        except RpcError as error:
            if "already" in str(error):
                return False
            raise

    def review_step(self, order, reviewers, race):
        """Approve the order's open step; two heads may race on it (one must win)."""
        review = self.stats.timed(
            "find review",
            self.sales,
            "sale.policy.review",
            "search",
            [("order_id", "=", order), ("state", "=", "pending")],
        )
        racers = reviewers if race and len(reviewers) > 1 else reviewers[:1]
        outcomes = []
        threads = [
            threading.Thread(target=lambda rpc=rpc: outcomes.append(self._try(rpc, review)))
            for rpc in racers
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wins = outcomes.count(True)
        self.stats.count("approvals", wins)
        if wins != 1:
            self.stats.count(f"step decided {wins} times: {outcomes}", error=True)
        elif len(outcomes) > 1:
            self.stats.count("duplicate approval refused", len(outcomes) - 1)

    def _try(self, rpc, review):
        try:
            return self.approve(rpc, review)
        except RpcError as error:
            return str(error)[:80]

    def run_order(self, number, race_share=0.0, premature_share=0.0, park=False):
        """One order's life; `park`: submitted and left pending (for the SLA cron)."""
        key = f"{self.ctx['tag']}-{self.index}-{number}"
        order = self.create(key, 1 + self.rng.randint(0, 9))
        if self.ctx["policy"]:
            self.submit(order)
            if park:
                self.ctx.setdefault("parked", []).append(order)
                self.stats.count("parked for the SLA")
                return
            if self.rng.random() < premature_share:
                try:
                    self.sales("sale.order", "action_confirm", [order])
                    self.stats.count("confirmed before approval", error=True)
                except (RpcError, CallCut):
                    self.stats.count("premature confirm refused")
            self.review_step(order, self.heads, self.rng.random() < race_share)
            self.review_step(order, [self.fin], False)
        self.confirm(order)
        self.stats.count("confirmed")
