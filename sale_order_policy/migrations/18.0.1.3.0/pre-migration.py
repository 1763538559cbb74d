"""Reviews point to their subject (`res_model`, `res_id`): fill them before the columns
become required. A review with a change request reviews the request, any other its order."""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        ALTER TABLE sale_policy_review
            ADD COLUMN IF NOT EXISTS res_model varchar,
            ADD COLUMN IF NOT EXISTS res_id integer
        """
    )
    cr.execute(
        """
        UPDATE sale_policy_review
           SET res_model = CASE WHEN change_id IS NOT NULL
                                THEN 'sale.policy.change' ELSE 'sale.order' END,
               res_id = COALESCE(change_id, order_id)
         WHERE res_model IS NULL
        """
    )
