from odoo import fields


def trigger_cron_now(env, xmlid):
    """Wake one of this module's crons right after commit, as `ir.cron._trigger()` does,
    without reading the cron first (one query less on every submission and confirmation).

    `_trigger()` reads `active` only to drop immediate triggers of an archived cron; the
    runner ignores the triggers of an archived cron anyway, and Odoo's trigger garbage
    collection removes them."""
    cron = env["ir.cron"].sudo().browse(env["ir.model.data"]._xmlid_to_res_id(xmlid))
    env["ir.cron.trigger"].sudo().create({"cron_id": cron.id, "call_at": fields.Datetime.now()})
    env.cr.postcommit.add(cron._notifydb)
