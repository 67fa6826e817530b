import Foundation

extension SQLStore: UsageAlertStore {
    func periodUsage(_ periods: [TeamBillingPeriod], now: Date) async throws -> [PeriodUsage] {
        try await periodUsage(periods, now: now, slices: min(4, ProcessInfo.processInfo.activeProcessorCount)).usage
    }

    /// `periodUsage`, read in `slices` slices of the usage rows at once, each on a read-only connection of its
    /// own, when the backend offers them and the usage ids are integers: the aggregate is one scan of the whole
    /// usage table, and it is most of `tally-alerts`' time, on one core. Otherwise one query on the job's
    /// connection. Also returns how many slices were read (1: one query).
    func periodUsage(_ periods: [TeamBillingPeriod], now: Date, slices: Int) async throws -> (usage: [PeriodUsage], slicesRead: Int) {
        guard let widestStart = periods.map(\.start).min(), let widestEnd = periods.map(\.end).max() else { return ([], 1) }
        let arguments: [any SQLBindable] = [widestStart, widestEnd, now]
        return try await readingUsage {
            let usageSQL = self.usageSQL
            if slices > 1, let sliced = try await slicedPeriodUsage(slices, { readers -> [PeriodUsage]? in
                guard let cuts = try await Self.usageIDCuts(slices, usageSQL, on: readers[0]) else { return nil }
                return try await withThrowingTaskGroup(of: [PeriodUsage].self) { group in
                    for (slice, reader) in readers.enumerated() {
                        // A statement takes exactly the parameters it names: the first slice its upper cut, the
                        // last its lower one.
                        let bounds = slice == 0 ? [cuts[1]] : slice == slices - 1 ? [cuts[slice]] : [cuts[slice], cuts[slice + 1]]
                        var statements = [SQLStatement(prepared: usageSQL.periodUsage(part: slice, of: slices), arguments: arguments + bounds)]
                        if slice == 0 { statements.append(SQLStatement(prepared: usageSQL.periodUsageWithoutID, arguments: arguments)) }
                        group.addTask { try await Self.periodUsage(periods, statements, on: reader) }
                    }
                    return try await group.reduce(into: []) { $0 += $1 }
                }
            }) {
                return (try Self.merged(sliced), slices)
            }
            // A temporary table lives on one connection, so it is filled and read inside one transaction.
            return (try await sql.transaction { sql in
                try await Self.periodUsage(periods, [SQLStatement(prepared: usageSQL.periodUsage, arguments: arguments)], on: sql)
            }, 1)
        }
    }

    /// `body` on `slices` read-only connections; nil when the backend has none or `body` declines. The slices
    /// only save time: when they cannot be read (the database refuses a read-only connection a read, say), the
    /// usage is read in one query on the job's own connection. A problem of the usage query itself is reported
    /// as it is.
    private func slicedPeriodUsage(_ slices: Int, _ body: @Sendable ([any SQLExecutor]) async throws -> [PeriodUsage]?) async throws -> [PeriodUsage]? {
        do {
            return try await database.withReaders(slices, body) ?? nil
        } catch is CancellationError {
            throw CancellationError()
        } catch where error is SQLRowDecodingError || sql.statementProblem(error) != nil {
            throw error
        } catch {
            let reason = String(describing: error).components(separatedBy: " - while executing").first ?? ""
            logger.warning("reading the period usage in \(slices) slices failed, reading it in one query: \(reason.prefix(300))")
            return nil
        }
    }

    /// The `slices + 1` cuts of the usage ids, evenly spaced from the lowest to past the highest; nil unless
    /// both are integers with room for a cut between them (text ids, say, are read in one query). The highest
    /// is asked first, so ids that are not integers cost one look-up.
    private static func usageIDCuts(_ slices: Int, _ usageSQL: UsageSQL, on sql: any SQLExecutor) async throws -> [Int64]? {
        guard case .integer(let high)? = try await sql.queryOne(SQLStatement(prepared: usageSQL.usageIDBound(highest: true), arguments: []))?.values.first,
              case .integer(let low)? = try await sql.queryOne(SQLStatement(prepared: usageSQL.usageIDBound(highest: false), arguments: []))?.values.first,
              high > low else { return nil }
        let (span, wide) = high.subtractingReportingOverflow(low)
        guard !wide, span < Int64.max / Int64(slices + 1) else { return nil }
        return (0...slices).map { low + (span + 1) * Int64($0) / Int64(slices) }
    }

    /// Fills the periods into the connection's temporary table, runs `statements` over it and empties it.
    private static func periodUsage(_ periods: [TeamBillingPeriod], _ statements: [SQLStatement], on sql: any SQLExecutor) async throws -> [PeriodUsage] {
        let table = UsageSQL.alertPeriodsTable
        try await sql.execute(SQLStatement(stringLiteral: UsageSQL.createAlertPeriods))
        try await sql.execute("DELETE FROM \(raw: table)")
        for batch in SQLStatement.batches(periods, columns: 3) {
            try await sql.execute(.insert(into: table, columns: ["team_id", "period_start", "period_end"],
                                          rows: batch.map { [$0.teamID, $0.start, $0.end] },
                                          suffix: "ON CONFLICT (team_id) DO UPDATE SET period_start = excluded.period_start, period_end = excluded.period_end"))
        }
        var usage: [PeriodUsage] = []
        for statement in statements {
            usage += try await sql.query(statement).map { row in PeriodUsage(teamID: try row["team"], tokens: try row["tokens"] ?? 0) }
        }
        try await sql.execute("DELETE FROM \(raw: table)")
        return usage
    }

    /// A team's slices added up; a total past 64 bits fails as the one query's SUM would.
    private static func merged(_ slices: [PeriodUsage]) throws -> [PeriodUsage] {
        var totals: [String: Int64] = [:]
        for usage in slices {
            let (sum, overflow) = totals[usage.teamID, default: 0].addingReportingOverflow(usage.tokens)
            guard !overflow else { throw ConfigurationError.usageQuery(databaseMessage: "integer overflow") }
            totals[usage.teamID] = sum
        }
        return totals.map { PeriodUsage(teamID: $0.key, tokens: $0.value) }
    }

    func teamOwnerEmails() async throws -> [String: [String]] {
        var owners: [String: [String]] = [:]
        for row in try await sql.query("""
            SELECT CAST(m.team_id AS TEXT) AS team_id, CAST(u.email AS TEXT) AS email
            FROM team_members m JOIN users u ON u.id = m.user_id
            WHERE m.role = 'owner' AND u.email IS NOT NULL
            ORDER BY m.team_id, u.email
            """) {
            owners[try row["team_id"], default: []].append(try row["email"])
        }
        return owners
    }

    func teamWebhooks() async throws -> [String: TeamWebhook] {
        var hooks: [String: TeamWebhook] = [:]
        for row in try await sql.query("SELECT team_id, url, secret FROM \(raw: prefix)team_webhooks") {
            let hook = TeamWebhook(teamID: try row["team_id"], url: try row["url"], secret: Secret(try row["secret"]))
            hooks[hook.teamID] = hook
        }
        return hooks
    }

    func saveTeamWebhook(_ webhook: TeamWebhook) async throws {
        try await sql.execute("""
            INSERT INTO \(raw: prefix)team_webhooks (team_id, url, secret) VALUES (\(webhook.teamID), \(webhook.url), \(webhook.secret.revealed))
            ON CONFLICT (team_id) DO UPDATE SET url = excluded.url, secret = excluded.secret
            """)
    }

    func usageNotifications(periodStartingAtOrAfter start: Date) async throws -> [UsageNotificationRecord] {
        try await sql.query("""
            SELECT team_id, period_start, threshold, channel, used, allowance, status, attempts, last_error, sent_at
            FROM \(raw: prefix)usage_notifications WHERE period_start >= \(start)
            ORDER BY team_id, period_start, threshold, channel
            """).compactMap { row in
            // A channel this version does not know (written by a newer one) is not this run's to judge.
            guard let channel = AlertChannel(rawValue: try row["channel"]) else { return nil }
            return UsageNotificationRecord(
                key: UsageNotificationKey(teamID: try row["team_id"], periodStart: try row["period_start"],
                                          threshold: try row["threshold"], channel: channel),
                used: try row["used"], allowance: try row["allowance"],
                status: UsageNotificationStatus(rawValue: try row["status"]) ?? .pending, attempts: try row["attempts"],
                lastError: try row["last_error"], sentAt: try row["sent_at"])
        }
    }

    static let notificationColumns = ["team_id", "period_start", "threshold", "channel", "used", "allowance", "sent_at",
                                      "status", "attempts"]

    func claimUsageNotifications(_ records: [UsageNotificationRecord]) async throws {
        guard !records.isEmpty else { return }
        let table = "\(prefix)usage_notifications"
        try await sql.transaction { sql in
            for batch in SQLStatement.batches(records, columns: Self.notificationColumns.count) {
                try await sql.execute(.insert(into: table, columns: Self.notificationColumns, rows: batch.map { record in
                    [record.key.teamID, record.key.periodStart, record.key.threshold, record.key.channel.rawValue, record.used,
                     record.allowance, record.sentAt, "pending", 0]
                }, suffix: "ON CONFLICT (team_id, period_start, threshold, channel) DO NOTHING"))
            }
        }
    }

    func markUsageNotifications(_ keys: [UsageNotificationKey], outcome: UsageNotificationStatus, error: String?, at: Date) async throws {
        guard !keys.isEmpty else { return }
        let p = prefix
        try await sql.transaction { sql in
            for batch in SQLStatement.batches(keys, columns: 4) {
                let rows = SQLStatement.values(batch.map { [$0.teamID, $0.periodStart, $0.threshold, $0.channel.rawValue] })
                // A join on the values, not `(…) IN (VALUES …)`: SQLite scans the whole ledger for a row-value IN,
                // once per statement, where the join looks each key up in the unique index.
                try await sql.execute("""
                    UPDATE \(raw: p)usage_notifications AS n
                    SET status = \(outcome.rawValue), attempts = n.attempts + 1, last_error = \(error), sent_at = \(at)
                    FROM (\(rows)) AS v
                    WHERE n.team_id = v.column1 AND n.period_start = v.column2 AND n.threshold = v.column3 AND n.channel = v.column4
                    """)
            }
        }
    }

    static let inAppColumns = ["team_id", "period_start", "threshold", "level", "title", "body", "created_at"]

    func insertInAppNotifications(_ notifications: [InAppNotificationRecord]) async throws {
        guard !notifications.isEmpty else { return }
        let table = "\(prefix)notifications"
        try await sql.transaction { sql in
            for batch in SQLStatement.batches(notifications, columns: Self.inAppColumns.count) {
                try await sql.execute(.insert(into: table, columns: Self.inAppColumns, rows: batch.map { note in
                    [note.teamID, note.periodStart, note.threshold, note.level, note.title, note.body, note.createdAt]
                }, suffix: "ON CONFLICT (team_id, period_start, threshold) DO NOTHING"))
            }
        }
    }

    func inAppNotifications(teamID: String) async throws -> [InAppNotificationRecord] {
        try await sql.query("""
            SELECT team_id, period_start, threshold, level, title, body, created_at FROM \(raw: prefix)notifications
            WHERE team_id = \(teamID) ORDER BY created_at DESC, id DESC
            """).map { row in
            InAppNotificationRecord(
                teamID: try row["team_id"], periodStart: try row["period_start"], threshold: try row["threshold"],
                level: try row["level"], title: try row["title"], body: try row["body"], createdAt: try row["created_at"])
        }
    }

    static let capColumns = ["team_id", "period_start", "period_end", "allowance", "used", "blocked", "blocked_at",
                             "projected_limit_at", "updated_at"]

    func saveUsageCaps(_ caps: [UsageCapRecord]) async throws {
        guard !caps.isEmpty else { return }
        let table = "\(prefix)usage_caps"
        let p = prefix
        try await sql.transaction { sql in
            for batch in SQLStatement.batches(caps, columns: Self.capColumns.count) {
                try await sql.execute(.insert(into: table, columns: Self.capColumns, rows: batch.map { cap in
                    [cap.teamID, cap.periodStart, cap.periodEnd, cap.allowance, cap.used, cap.blocked, cap.blockedAt,
                     cap.projectedLimitAt, cap.updatedAt]
                }, suffix: """
                    ON CONFLICT (team_id, period_start) DO UPDATE SET
                        period_end = excluded.period_end, allowance = excluded.allowance, used = excluded.used,
                        blocked = excluded.blocked, blocked_at = excluded.blocked_at,
                        projected_limit_at = excluded.projected_limit_at, updated_at = excluded.updated_at
                    """))
            }
            // The access row the app's middleware reads takes the new allowance, usage and block at once, not at
            // the next tally-events run.
            for (now, teams) in Dictionary(grouping: caps, by: \.updatedAt) {
                for batch in SQLStatement.batches(Array(Set(teams.map(\.teamID))).sorted()) {
                    let ids = Array(batch)
                    try await sql.execute("""
                        INSERT INTO \(raw: p)team_access (team_id, updated_at)
                        SELECT DISTINCT team_id, CAST(\(now) AS BIGINT) FROM \(raw: p)usage_caps
                        WHERE team_id IN (\(list: ids)) AND period_start <= \(now) AND period_end > \(now)
                        ON CONFLICT (team_id) DO NOTHING
                        """)
                    try await Self.refreshUsage(teamIDs: ids, now: now, sql: sql, prefix: p)
                }
            }
        }
    }

    func usageCaps() async throws -> [UsageCapRecord] {
        try await sql.query("""
            SELECT team_id, period_start, period_end, allowance, used, blocked, blocked_at, projected_limit_at, updated_at
            FROM \(raw: prefix)usage_caps ORDER BY team_id, period_start
            """).map { row in
            UsageCapRecord(
                teamID: try row["team_id"], periodStart: try row["period_start"], periodEnd: try row["period_end"],
                allowance: try row["allowance"], used: try row["used"], blocked: try row["blocked"],
                blockedAt: try row["blocked_at"], projectedLimitAt: try row["projected_limit_at"], updatedAt: try row["updated_at"])
        }
    }
}
