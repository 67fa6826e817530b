import Foundation

// `tally_team_access`: one row per team, written by the billing events (status, features, allowance) and by
// the usage caps `tally-alerts` computes (allowance, used, blocked). The README's "The access row" shows the
// queries the app runs on it.
extension SQLStore: TeamAccessSource {
    func teamAccess(teamID: String) async throws -> TeamAccessRecord? {
        try await sql.queryOne("""
            SELECT team_id, customer_id, subscription_id, subscription_status, features, allowance, used, remaining, blocked, updated_at
            FROM \(raw: prefix)team_access WHERE team_id = \(teamID)
            """).map { row in
            TeamAccessRecord(teamID: try row["team_id"], customerID: try row["customer_id"], subscriptionID: try row["subscription_id"],
                             subscriptionStatus: try row["subscription_status"],
                             features: TeamAccessRecord.features(stored: try row["features"]), allowance: try row["allowance"],
                             used: try row["used"], remaining: try row["remaining"], blocked: try row["blocked"],
                             updatedAt: try row["updated_at"])
        }
    }

    func refreshTeamAccessUsage(now: Date) async throws -> Int {
        let p = prefix
        return try await sql.transaction { sql in
            // A team capped by `tally-alerts` gets its row even before an event names it.
            try await sql.execute("""
                INSERT INTO \(raw: p)team_access (team_id, updated_at)
                SELECT DISTINCT team_id, CAST(\(now) AS BIGINT) FROM \(raw: p)usage_caps
                WHERE period_start <= \(now) AND period_end > \(now)
                ON CONFLICT (team_id) DO NOTHING
                """)
            return try await Self.refreshUsage(teamIDs: nil, now: now, sql: sql, prefix: p)
        }
    }

    /// Copies the current cap (the period containing `now`) of `teamIDs` (every team when nil) into their rows
    /// and recomputes `remaining`. Runs inside the caller's transaction.
    @discardableResult
    static func refreshUsage(teamIDs: [String]?, now: Date, sql: any SQLExecutor, prefix p: String) async throws -> Int {
        let which: SQLStatement = teamIDs.map { $0.isEmpty ? " WHERE 1 = 0" : " WHERE team_id IN (\(list: $0))" } ?? ""
        func current(_ column: String) -> SQLStatement {
            """
            (SELECT c.\(raw: column) FROM \(raw: p)usage_caps c WHERE c.team_id = \(raw: p)team_access.team_id
               AND c.period_start <= \(now) AND c.period_end > \(now) ORDER BY c.period_start DESC LIMIT 1)
            """
        }
        let touched = try await sql.query("""
            UPDATE \(raw: p)team_access SET
                allowance = COALESCE(\(current("allowance")), allowance),
                used = COALESCE(\(current("used")), used),
                blocked = COALESCE(\(current("blocked")), blocked)\(which)
            RETURNING team_id
            """).count
        try await sql.execute("""
            UPDATE \(raw: p)team_access SET
                remaining = CASE WHEN allowance IS NULL THEN NULL WHEN allowance > used THEN allowance - used ELSE 0 END\(which)
            """)
        return touched
    }

    /// Writes a status change to one team's row, unless a newer event already set its status, or the change
    /// would revive a canceled subscription. Returns true when a newer event had written it.
    static func write(_ access: AccessChange, team: String, _ change: BillingChange, sql: any SQLExecutor, prefix p: String) async throws -> Bool {
        let current = try await sql.queryOne("""
            SELECT subscription_id, subscription_status, status_event_created FROM \(raw: p)team_access
            WHERE team_id = \(team)\(raw: sql.backend.lockingRead)
            """)
        let storedSubscription: String? = try current?["subscription_id"]
        let storedStatus: String? = try current?["subscription_status"]
        if let stamp: Int64 = try current?["status_event_created"], stamp > StoredTime.seconds(change.eventCreated) { return true }
        if !TeamAccessRules.accepts(access, storedSubscription: storedSubscription, storedStatus: storedStatus) { return false }
        let features = access.features.map(TeamAccessRecord.storedFeatures)
        try await sql.execute("""
            INSERT INTO \(raw: p)team_access (team_id, customer_id, subscription_id, subscription_status, features, allowance,
                                              status_event_id, status_event_created, updated_at)
            VALUES (\(team), \(change.customerID), \(access.subscriptionID), \(access.status), \(features ?? ""), \(access.allowance),
                    \(change.eventID), \(change.eventCreated), \(change.appliedAt))
            ON CONFLICT (team_id) DO UPDATE SET
                customer_id = COALESCE(excluded.customer_id, \(raw: p)team_access.customer_id),
                subscription_id = COALESCE(excluded.subscription_id, \(raw: p)team_access.subscription_id),
                subscription_status = excluded.subscription_status,
                features = CASE WHEN \(features != nil) THEN excluded.features ELSE \(raw: p)team_access.features END,
                allowance = COALESCE(excluded.allowance, \(raw: p)team_access.allowance),
                status_event_id = excluded.status_event_id, status_event_created = excluded.status_event_created,
                updated_at = excluded.updated_at
            """)
        return false
    }
}
