def mail_composer_action(records, template, title, **context):
    """Odoo's mail composer on `records`, prefilled from `template` (one-click sending of
    a customer notice); `context` marks the messages it posts."""
    return {
        "type": "ir.actions.act_window",
        "name": title,
        "res_model": "mail.compose.message",
        "view_mode": "form",
        "views": [(False, "form")],
        "target": "new",
        "context": {
            "default_model": records._name,
            "default_res_ids": records.ids,
            "default_template_id": template.id,
            "default_composition_mode": "comment",
            "force_email": True,
            **context,
        },
    }
