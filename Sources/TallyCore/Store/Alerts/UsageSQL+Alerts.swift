extension UsageSQL {
    /// Every team's usage per day of its own billing period, in one scan of the usage query joined with the
    /// periods: `tally_alert_periods` (a temporary table) on SQLite, `unnest` of three bound arrays
    /// (team ids, starts, ends: `$4`–`$6`) on PostgreSQL. Parameters: widest start, widest end, now.
    /// Rows that cannot be billed (`UsageProblem`) or lie after `now` are not summed (the reconcile run
    /// reports them), so a hostile value can neither overflow the sum nor count towards a cap.
    public var periodUsage: String {
        let periods = backend == .sqlite
            ? "temp.tally_alert_periods AS p"
            : "unnest(CAST($4 AS text[]), CAST($5 AS bigint[]), CAST($6 AS bigint[])) AS p(team_id, period_start, period_end)"
        return """
            SELECT p.team_id AS team,
                   (CAST(u.created_at AS BIGINT) - p.period_start) / 86400 AS day_index,
                   CAST(SUM(CAST(u.tokens AS BIGINT)) AS BIGINT) AS tokens
            FROM \(subquery)
            JOIN \(periods) ON p.team_id = CAST(u.team_id AS TEXT)
            WHERE u.created_at >= \(parameterMarker(1)) AND u.created_at < \(parameterMarker(2))
              AND u.created_at >= p.period_start AND u.created_at < p.period_end
              AND u.created_at <= \(parameterMarker(3)) AND \(problem(now: nil, checkDuplicates: false)) = 0
            GROUP BY 1, 2
            """
    }
}
