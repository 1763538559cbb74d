"""18.0.1.4.0: "Before the Policy" is a matter of time (issue #24). A company whose policy
is on gets the moment it was last switched on, read from its `policy_on` log; without one,
the moment stays empty and its orders keep the former reading (never submitted)."""


def migrate(cr, version):
    cr.execute(
        """
        UPDATE res_company c
           SET sale_policy_enabled_since = log.switched_on
          FROM (SELECT company_id, max(create_date) AS switched_on
                  FROM sale_policy_log
                 WHERE event = 'policy_on'
                 GROUP BY company_id) log
         WHERE log.company_id = c.id
           AND c.sale_policy_enabled
           AND c.sale_policy_enabled_since IS NULL
        """
    )
