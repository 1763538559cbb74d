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


def setup_policy(admin, ctx, n_heads, n_finance=2):
    """The shipped chain (Sales Head Review by the team leader; Finance Approval from
    50,000 by the finance reviewers' group; Warehouse and General Manager when their
    conditions hold), with one sales team per head, an escalation manager on the breached
    steps and a warehouse hand-off user."""
    company_id = admin("res.users", "read", [admin.uid], ["company_id"])[0]["company_id"][0]
    user, manager = _ref(admin, "base.group_user"), _ref(admin, "sales_team.group_sale_manager")
    finance = _ref(admin, "sale_order_policy.group_finance_reviewer")
    tag = ctx["tag"]
    heads = _users(admin, "load-head", n_heads, [user, manager], tag)
    fins = _users(admin, "load-fin", n_finance, [user, finance], tag)
    (escalation,) = _users(admin, "load-boss", 1, [user, manager], tag)
    (warehouse,) = _users(admin, "load-wh", 1, [user, _ref(admin, "stock.group_stock_user")], tag)
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
    rules = [_ref(admin, f"sale_order_policy.rule_{name}") for name in ("sales_head", "finance")]
    admin("sale.policy.rule", "write", rules, {"escalation_user_ids": [(6, 0, [escalation])]})
    sales_ids = admin("res.users", "search", [("login", "in", ctx["sales"])], order="id")
    for i, head in enumerate(heads):
        admin(
            "crm.team",
            "create",
            {
                "name": f"Load team {tag}-{i}",
                "user_id": head,
                "member_ids": [(6, 0, sales_ids[i::n_heads])],
            },
        )
    login = {
        u["id"]: u["login"] for u in admin("res.users", "read", heads + fins + sales_ids, ["login"])
    }
    ctx.update(
        policy=True,
        head_of={login[s]: login[heads[i % n_heads]] for i, s in enumerate(sales_ids)},
        finance=[login[f] for f in fins],
        escalation=escalation,
    )
    return ctx


def order_vals(ctx, partner, key, quantity, big=False):
    vals = {
        "partner_id": partner,
        "payment_term_id": ctx["term"],
        "commitment_date": "2099-01-01 08:00:00",
        "client_order_ref": key,
        "order_line": [
            (
                0,
                0,
                {
                    "product_id": ctx["product"],
                    "product_uom_qty": quantity,
                    # From 50,000 the shipped chain adds the finance step.
                    "price_unit": 6000 if big else 100,
                },
            )
        ],
    }
    if ctx["policy"]:
        vals.update(intake_channel="phone", customer_confirmation_method="phone")
    return vals


class Client:
    """One simulated desk: a salesperson and, with the policy, the sales head of their
    team and the finance reviewers, all on the same server."""

    def __init__(self, url, db, ctx, stats, rng, partner, index):
        self.ctx, self.stats, self.rng, self.partner = ctx, stats, rng, partner
        self.index = index
        login = ctx["sales"][index % len(ctx["sales"])]
        self.sales = Rpc(url, db, login, PASSWORD)
        self.reviewers = {}
        if ctx["policy"]:
            self.reviewers = {
                "sales": [Rpc(url, db, ctx["head_of"][login], PASSWORD)],
                "finance": [Rpc(url, db, fin, PASSWORD) for fin in ctx["finance"]],
            }

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

    def create(self, key, quantity, big=False):
        vals = order_vals(self.ctx, self.partner, key, quantity, big)
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

    def review_step(self, order, race):
        """Approve the order's open step, if any; two finance reviewers may race on theirs
        (exactly one must win). False when no step is open."""
        reviews = self.stats.timed(
            "find review",
            self.sales,
            "sale.policy.review",
            "search_read",
            [("order_id", "=", order), ("state", "=", "pending")],
            ["department"],
        )
        if not reviews:
            return False
        review, department = [reviews[0]["id"]], reviews[0]["department"]
        if department not in self.reviewers:
            self.stats.count(f"unexpected {department} step", error=True)
            return False
        reviewers = self.reviewers[department]
        racers = reviewers if race and len(reviewers) > 1 else [self.rng.choice(reviewers)]
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
        self.stats.count(f"{department} steps approved", wins)
        if wins != 1:
            self.stats.count(f"step decided {wins} times: {outcomes}", error=True)
            return False
        if len(outcomes) > 1:
            self.stats.count("duplicate approval refused", len(outcomes) - 1)
        return True

    def _try(self, rpc, review):
        try:
            return self.approve(rpc, review)
        except RpcError as error:
            return str(error)[:80]

    def run_order(self, number, race_share=0.0, premature_share=0.0, park=False):
        """One order's life; `park`: submitted and left pending (for the SLA cron)."""
        key = f"{self.ctx['tag']}-{self.index}-{number}"
        big = self.ctx["policy"] and self.rng.random() < self.ctx.get("big_share", 0.2)
        order = self.create(key, 1 + self.rng.randint(0, 9), big)
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
            for _step in range(4):
                if not self.review_step(order, self.rng.random() < race_share):
                    break
        self.confirm(order)
        self.stats.count("confirmed")
