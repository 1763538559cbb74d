"""The invariants of the multi-server run, checked in the database, and its report."""

import loadlib

LOG_COUNT = """
    SELECT count(*) FROM sale_policy_log l JOIN sale_order o ON o.id = l.order_id
     WHERE o.client_order_ref LIKE %(tag)s AND l.event = 'approve'"""
DOUBLE_DECISIONS = """
    SELECT count(*) FROM (SELECT review_id FROM sale_policy_log
                           WHERE event IN ('approve', 'reject') GROUP BY review_id
                          HAVING count(*) > 1) d"""
DUPLICATE_NOTIFICATIONS = """
    SELECT count(*) FROM (
        SELECT m.model, m.res_id, rel.res_partner_id, m.subject
          FROM mail_message m
          JOIN mail_message_res_partner_rel rel ON rel.mail_message_id = m.id
         WHERE m.message_type = 'user_notification'
         GROUP BY 1, 2, 3, 4 HAVING count(*) > 1) d"""
# Parked orders keep their first step open: each of its reviewers holds an activity.
REVIEWERS_NOTIFIED = """
    SELECT count(*) FILTER (WHERE n = 1), count(*) FROM (
        SELECT (SELECT count(*) FROM mail_message m
                  JOIN mail_message_res_partner_rel rel ON rel.mail_message_id = m.id
                 WHERE m.model = 'sale.order' AND m.res_id = r.order_id
                   AND m.message_type = 'user_notification'
                   AND rel.res_partner_id = u.partner_id) AS n
          FROM sale_policy_review r
          JOIN sale_policy_review_reviewer_rel rr ON rr.review_id = r.id
          JOIN res_users u ON u.id = rr.user_id
         WHERE r.order_id = ANY(%(parked)s::int[]) AND r.state = 'pending') x"""
ESCALATED_ONCE = """
    SELECT count(*) FILTER (WHERE logs = 1 AND activities = 1 AND escalated), count(*) FROM (
        SELECT r.escalated_on IS NOT NULL AS escalated,
               (SELECT count(*) FROM sale_policy_log l
                 WHERE l.review_id = r.id AND l.event = 'escalate') AS logs,
               (SELECT count(*) FROM mail_activity a
                  JOIN ir_model_data d ON d.res_id = a.activity_type_id
                   AND d.model = 'mail.activity.type'
                   AND d.name = 'mail_activity_type_policy_escalation'
                 WHERE a.res_model = 'sale.order' AND a.res_id = r.order_id) AS activities
          FROM sale_policy_review r WHERE r.id = ANY(%(breached)s::int[])) x"""
HANDED_OFF_ONCE = """
    SELECT count(*) FILTER (WHERE NOT pending AND activities = 1 AND notified = 1), count(*)
      FROM (
        SELECT o.policy_handoff_pending AS pending,
               (SELECT count(*) FROM mail_activity a JOIN stock_picking p ON p.id = a.res_id
                 WHERE a.res_model = 'stock.picking' AND p.sale_id = o.id) AS activities,
               (SELECT count(*) FROM mail_message m JOIN stock_picking p ON p.id = m.res_id
                 WHERE m.model = 'stock.picking' AND p.sale_id = o.id
                   AND m.message_type = 'user_notification') AS notified
          FROM sale_order o
         WHERE o.client_order_ref LIKE %(tag)s AND o.state = 'sale') x"""
UNAPPROVED = "SELECT count(*) FROM sale_order WHERE state = 'sale' AND approval_state != 'approved'"


def _one(conf, db, sql, params):
    return loadlib.query(conf, db, sql, params)[0]


def invariants(args, db, ctx, stats, chaos, drained):
    """[(invariant, measured, ok)]"""
    conf = args.config
    params = {"tag": f"{ctx['tag']}-%", "parked": ctx["parked"], "breached": chaos.breached}
    (approve_logs,) = _one(conf, db, LOG_COUNT, params)
    (doubles,) = _one(conf, db, DOUBLE_DECISIONS, params)
    (duplicates,) = _one(conf, db, DUPLICATE_NOTIFICATIONS, params)
    notified, pairs = _one(conf, db, REVIEWERS_NOTIFIED, params)
    escalated, breached = _one(conf, db, ESCALATED_ONCE, params)
    handed, confirmed = _one(conf, db, HANDED_OFF_ONCE, params)
    (unapproved,) = _one(conf, db, UNAPPROVED, params)
    errors = sum(stats.errors.values())
    approvals = stats.events["approvals"] + stats.events["warm-up approvals"]
    return [
        ("client errors", f"{errors} {dict(stats.errors) or ''}", errors == 0),
        (
            "successful approvals (warm-up included) = `approve` log lines",
            f"{approvals} = {approve_logs}",
            approvals == approve_logs,
        ),
        ("reviews decided more than once", doubles, doubles == 0),
        ("notifications sent twice (same document, person, subject)", duplicates, duplicates == 0),
        (
            "open review activities whose reviewer was notified exactly once",
            f"{notified} / {pairs}",
            notified == pairs and pairs > 0,
        ),
        (
            "breached reviews escalated exactly once (1 log line, 1 activity)",
            f"{escalated} / {breached}",
            escalated == breached and breached > 0,
        ),
        (
            "confirmed orders handed off exactly once (1 activity, 1 notification)",
            f"{handed} / {confirmed}",
            handed == confirmed and confirmed > 0,
        ),
        ("orders confirmed without approval (whole database)", unapproved, unapproved == 0),
        ("crons drained (notifications, hand-offs, due escalations)", drained, drained),
    ]


def report(args, db, ctx, stats, chaos, elapsed, cpu, drained):
    checks = invariants(args, db, ctx, stats, chaos, drained)
    confirmed = stats.events["confirmed"]
    latency_rows = []
    for call, values in sorted(stats.latencies.items()):
        count, p50, p95, top = loadlib.summary(values)
        latency_rows.append((call, count, f"{p50:.0f}", f"{p95:.0f}", f"{top:.0f}"))
    events = {k: v for k, v in stats.events.items() if k not in ("confirmed", "approvals")}
    lines = [
        "# Load test, several servers, with crashes",
        "",
        "- start: {start}",
        f"- end: {loadlib.machine_line()}",
        f"- topology: 2 HTTP instances (--workers=2, --max-cron-threads=0) on ports "
        f"{args.port + 1}-{args.port + 2}, 1 cron instance (--no-http --workers=0 "
        f"--max-cron-threads=2), 1 PostgreSQL; {args.loads[-1]} clients spread over both "
        f"ports for {args.duration:.0f} s; SLA cron batch {args.sla_batch}",
        f"- orders confirmed: {confirmed} in {elapsed:.1f} s ({confirmed / elapsed:.2f}/s); "
        f"server CPU {cpu['odoo']:.1f} s Odoo + {cpu['postgres']:.1f} s PostgreSQL "
        f"({sum(cpu.values()) / max(confirmed, 1) * 1000:.0f} ms per confirmed order, "
        "parked orders' review and the crons included)",
        f"- crons drained at the end: {'yes' if drained else 'NO'}",
        f"- events: {events}",
        f"- connections retried (request never sent): {loadlib.Rpc.connect_retries}",
        "",
        loadlib.markdown_table(["call", "count", "p50 ms", "p95 ms", "max ms"], latency_rows),
        "",
        loadlib.markdown_table(
            ["invariant", "measured", ""], [(n, v, "✔" if ok else "✘") for n, v, ok in checks]
        ),
    ]
    return "\n".join(lines) + "\n"
