extension UsageSQL {
    /// Every team's usage in its own billing period so far, in one scan of the usage query joined with the
    /// periods in the temporary table `tally_alert_periods` (filled in the same transaction): one row per team,
    /// so 100,000 teams read back 100,000 rows, not one per team and day.
    /// Parameters: widest start, widest end, now.
    /// Rows that cannot be billed (`UsageProblem`) or lie after `now` are not summed (the reconcile run
    /// reports them), so a hostile value can neither overflow the sum nor count towards a cap.
    public var periodUsage: String {
        periodUsage(idCondition: nil)
    }

    /// `periodUsage` over one of `parts` slices of the usage rows, cut by id: slice `part` takes the ids from
    /// parameter 4 (the first slice: from the lowest) up to parameter 5 (the last slice: without end). Every id
    /// falls in exactly one slice, whatever its type (SQLite orders any two values); rows without one are
    /// `periodUsageWithoutID`'s. Each condition is a plain range, which SQLite reads as a range of the table's
    /// key; an `OR u.id IS NULL` beside it would make every slice scan the whole table.
    /// Parameters: widest start, widest end, now, then the slice's cuts (the first slice: the upper only).
    func periodUsage(part: Int, of parts: Int) -> String {
        switch part {
        case 0: periodUsage(idCondition: "u.id < \(parameterMarker(4))")
        case parts - 1: periodUsage(idCondition: "u.id >= \(parameterMarker(4))")
        default: periodUsage(idCondition: "u.id >= \(parameterMarker(4)) AND u.id < \(parameterMarker(5))")
        }
    }

    /// `periodUsage` over the rows whose id is NULL, the rows no slice holds. Free where the id is the table's
    /// key, which is never NULL. Parameters: widest start, widest end, now.
    var periodUsageWithoutID: String {
        periodUsage(idCondition: "u.id IS NULL")
    }

    /// The lowest and the highest usage row id (`ORDER BY … LIMIT 1`: one step down the table's key for the
    /// default query), to cut `periodUsage` into slices.
    func usageIDBound(highest: Bool) -> String {
        "SELECT u.id AS id FROM \(subquery) WHERE u.id IS NOT NULL ORDER BY u.id \(highest ? "DESC" : "ASC") LIMIT 1"
    }

    private func periodUsage(idCondition: String?) -> String {
        """
            SELECT p.team_id AS team, CAST(SUM(CAST(u.tokens AS BIGINT)) AS BIGINT) AS tokens
            FROM \(subquery)
            JOIN \(Self.alertPeriodsTable) AS p ON p.team_id = CAST(u.team_id AS TEXT)
            WHERE u.created_at >= \(parameterMarker(1)) AND u.created_at < \(parameterMarker(2))
              AND u.created_at >= p.period_start AND u.created_at < p.period_end
              AND u.created_at <= \(parameterMarker(3)) AND \(problem(now: nil, checkDuplicates: false)) = 0\(idCondition.map { "\n  AND \($0)" } ?? "")
            GROUP BY 1
            """
    }

    /// The temporary table holding each team's billing period while `periodUsage` runs: a temporary table
    /// lives on one connection, so it is created, filled, read and emptied in one transaction. Unqualified, it
    /// resolves to the temporary schema first on both backends.
    public static let alertPeriodsTable = "tally_alert_periods"

    public static let createAlertPeriods = """
        CREATE TEMP TABLE IF NOT EXISTS \(alertPeriodsTable) (
            team_id TEXT PRIMARY KEY, period_start BIGINT NOT NULL, period_end BIGINT NOT NULL)
        """
}
