import Foundation
import PostgresNIO

// Batches travel as arrays bound to `unnest`, so 100,000 teams cost one statement, not 100,000 round trips.
extension PostgresStore {
    func periodUsage(_ periods: [TeamBillingPeriod], now: Date) async throws -> [PeriodUsageDay] {
        guard let widestStart = periods.map(\.start).min(), let widestEnd = periods.map(\.end).max() else { return [] }
        var binds = PostgresBindings()
        binds.append(StoredTime.seconds(widestStart))
        binds.append(StoredTime.seconds(widestEnd))
        binds.append(StoredTime.seconds(now))
        binds.append(periods.map(\.teamID))
        binds.append(periods.map { StoredTime.seconds($0.start) })
        binds.append(periods.map { StoredTime.seconds($0.end) })
        do {
            let rows = try await client.query(PostgresQuery(unsafeSQL: usageSQL.periodUsage, binds: binds), logger: logger)
            var days: [PeriodUsageDay] = []
            for try await (team, dayIndex, tokens) in rows.decode((String, Int64, Int64?).self) {
                days.append(PeriodUsageDay(teamID: team, dayIndex: Int(dayIndex), tokens: tokens ?? 0))
            }
            return days
        } catch let error as PSQLError where error.code == .server {
            let state = error.serverInfo?[.sqlState] ?? ""
            guard state.hasPrefix("42") || state.hasPrefix("22") else { throw error }
            throw ConfigurationError.usageQuery(databaseMessage: error.serverInfo?[.message] ?? "SQLSTATE \(state)")
        }
    }

    func teamOwnerEmails() async throws -> [String: [String]] {
        let rows = try await client.query("""
            SELECT m.team_id::text, u.email::text
            FROM team_members m JOIN users u ON u.id = m.user_id
            WHERE m.role = 'owner' AND u.email IS NOT NULL
            ORDER BY m.team_id, u.email
            """, logger: logger)
        var owners: [String: [String]] = [:]
        for try await (team, email) in rows.decode((String, String).self) { owners[team, default: []].append(email) }
        return owners
    }

    func teamWebhooks() async throws -> [String: TeamWebhook] {
        let rows = try await client.query(
            PostgresQuery(unsafeSQL: "SELECT team_id, url, secret FROM \(prefix)team_webhooks"), logger: logger)
        var hooks: [String: TeamWebhook] = [:]
        for try await (team, url, secret) in rows.decode((String, String, String).self) {
            hooks[team] = TeamWebhook(teamID: team, url: url, secret: Secret(secret))
        }
        return hooks
    }

    func saveTeamWebhook(_ webhook: TeamWebhook) async throws {
        var binds = PostgresBindings()
        binds.append(webhook.teamID)
        binds.append(webhook.url)
        binds.append(webhook.secret.revealed)
        try await client.query(PostgresQuery(unsafeSQL: """
            INSERT INTO \(prefix)team_webhooks (team_id, url, secret) VALUES ($1, $2, $3)
            ON CONFLICT (team_id) DO UPDATE SET url = excluded.url, secret = excluded.secret
            """, binds: binds), logger: logger)
    }

    func usageNotifications(periodStartingAtOrAfter start: Date) async throws -> [UsageNotificationRecord] {
        var binds = PostgresBindings()
        binds.append(StoredTime.seconds(start))
        let rows = try await client.query(PostgresQuery(unsafeSQL: """
            SELECT team_id, period_start, threshold, channel, used, allowance, status, attempts, last_error, sent_at
            FROM \(prefix)usage_notifications WHERE period_start >= $1
            ORDER BY team_id, period_start, threshold, channel
            """, binds: binds), logger: logger)
        var records: [UsageNotificationRecord] = []
        for try await (team, periodStart, threshold, channel, used, allowance, status, attempts, lastError, sentAt)
            in rows.decode((String, Int64, Double, String, Int64, Int64, String, Int32, String?, Int64).self) {
            guard let channel = AlertChannel(rawValue: channel) else { continue }
            records.append(UsageNotificationRecord(
                key: UsageNotificationKey(teamID: team, periodStart: StoredTime.date(periodStart), threshold: threshold, channel: channel),
                used: used, allowance: allowance, status: UsageNotificationStatus(rawValue: status) ?? .pending,
                attempts: Int(attempts), lastError: lastError, sentAt: StoredTime.date(sentAt)))
        }
        return records
    }

    func claimUsageNotifications(_ records: [UsageNotificationRecord]) async throws -> Int {
        guard !records.isEmpty else { return 0 }
        var binds = PostgresBindings()
        binds.append(records.map(\.key.teamID))
        binds.append(records.map { StoredTime.seconds($0.key.periodStart) })
        binds.append(records.map(\.key.threshold))
        binds.append(records.map(\.key.channel.rawValue))
        binds.append(records.map(\.used))
        binds.append(records.map(\.allowance))
        binds.append(records.map { StoredTime.seconds($0.sentAt) })
        let rows = try await client.query(PostgresQuery(unsafeSQL: """
            WITH inserted AS (
                INSERT INTO \(prefix)usage_notifications
                    (team_id, period_start, threshold, channel, used, allowance, sent_at, status, attempts)
                SELECT team_id, period_start, threshold, channel, used, allowance, sent_at, 'pending', 0
                FROM unnest(CAST($1 AS text[]), CAST($2 AS bigint[]), CAST($3 AS double precision[]), CAST($4 AS text[]),
                            CAST($5 AS bigint[]), CAST($6 AS bigint[]), CAST($7 AS bigint[]))
                     AS r(team_id, period_start, threshold, channel, used, allowance, sent_at)
                ON CONFLICT (team_id, period_start, threshold, channel) DO NOTHING
                RETURNING 1
            )
            SELECT COUNT(*) FROM inserted
            """, binds: binds), logger: logger)
        var count: Int64 = 0
        for try await value in rows.decode(Int64.self) { count = value }
        return Int(count)
    }

    func markUsageNotifications(_ keys: [UsageNotificationKey], outcome: UsageNotificationStatus, error: String?, at: Date) async throws {
        guard !keys.isEmpty else { return }
        var binds = PostgresBindings()
        binds.append(outcome.rawValue)
        binds.append(error)
        binds.append(StoredTime.seconds(at))
        binds.append(keys.map(\.teamID))
        binds.append(keys.map { StoredTime.seconds($0.periodStart) })
        binds.append(keys.map(\.threshold))
        binds.append(keys.map(\.channel.rawValue))
        try await client.query(PostgresQuery(unsafeSQL: """
            UPDATE \(prefix)usage_notifications n
            SET status = $1, attempts = n.attempts + 1, last_error = $2, sent_at = $3
            FROM unnest(CAST($4 AS text[]), CAST($5 AS bigint[]), CAST($6 AS double precision[]), CAST($7 AS text[]))
                 AS k(team_id, period_start, threshold, channel)
            WHERE n.team_id = k.team_id AND n.period_start = k.period_start AND n.threshold = k.threshold
              AND n.channel = k.channel
            """, binds: binds), logger: logger)
    }

    func insertInAppNotification(_ notification: InAppNotificationRecord) async throws {
        var binds = PostgresBindings()
        binds.append(notification.teamID)
        binds.append(StoredTime.seconds(notification.periodStart))
        binds.append(notification.threshold)
        binds.append(notification.level)
        binds.append(notification.title)
        binds.append(notification.body)
        binds.append(StoredTime.seconds(notification.createdAt))
        try await client.query(PostgresQuery(unsafeSQL: """
            INSERT INTO \(prefix)notifications (team_id, period_start, threshold, level, title, body, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (team_id, period_start, threshold) DO NOTHING
            """, binds: binds), logger: logger)
    }

    func inAppNotifications(teamID: String) async throws -> [InAppNotificationRecord] {
        var binds = PostgresBindings()
        binds.append(teamID)
        let rows = try await client.query(PostgresQuery(unsafeSQL: """
            SELECT team_id, period_start, threshold, level, title, body, created_at FROM \(prefix)notifications
            WHERE team_id = $1 ORDER BY created_at DESC, id DESC
            """, binds: binds), logger: logger)
        var records: [InAppNotificationRecord] = []
        for try await (team, periodStart, threshold, level, title, body, createdAt)
            in rows.decode((String, Int64, Double, String, String, String, Int64).self) {
            records.append(InAppNotificationRecord(
                teamID: team, periodStart: StoredTime.date(periodStart), threshold: threshold, level: level, title: title,
                body: body, createdAt: StoredTime.date(createdAt)))
        }
        return records
    }

    func saveUsageCaps(_ caps: [UsageCapRecord]) async throws {
        guard !caps.isEmpty else { return }
        // Arrays cannot carry NULLs through these bindings, so 0 (1970) stands for "none" and NULLIF restores it.
        var binds = PostgresBindings()
        binds.append(caps.map(\.teamID))
        binds.append(caps.map { StoredTime.seconds($0.periodStart) })
        binds.append(caps.map { StoredTime.seconds($0.periodEnd) })
        binds.append(caps.map(\.allowance))
        binds.append(caps.map(\.used))
        binds.append(caps.map(\.blocked))
        binds.append(caps.map { $0.blockedAt.map(StoredTime.seconds) ?? 0 })
        binds.append(caps.map { $0.projectedLimitAt.map(StoredTime.seconds) ?? 0 })
        binds.append(caps.map { StoredTime.seconds($0.updatedAt) })
        try await client.query(PostgresQuery(unsafeSQL: """
            INSERT INTO \(prefix)usage_caps
                (team_id, period_start, period_end, allowance, used, blocked, blocked_at, projected_limit_at, updated_at)
            SELECT team_id, period_start, period_end, allowance, used, blocked, NULLIF(blocked_at, 0),
                   NULLIF(projected_limit_at, 0), updated_at
            FROM unnest(CAST($1 AS text[]), CAST($2 AS bigint[]), CAST($3 AS bigint[]), CAST($4 AS bigint[]),
                        CAST($5 AS bigint[]), CAST($6 AS boolean[]), CAST($7 AS bigint[]), CAST($8 AS bigint[]),
                        CAST($9 AS bigint[]))
                 AS c(team_id, period_start, period_end, allowance, used, blocked, blocked_at, projected_limit_at, updated_at)
            ON CONFLICT (team_id, period_start) DO UPDATE SET
                period_end = excluded.period_end, allowance = excluded.allowance, used = excluded.used,
                blocked = excluded.blocked, blocked_at = excluded.blocked_at,
                projected_limit_at = excluded.projected_limit_at, updated_at = excluded.updated_at
            """, binds: binds), logger: logger)
    }

    func usageCaps() async throws -> [UsageCapRecord] {
        let rows = try await client.query(PostgresQuery(unsafeSQL: """
            SELECT team_id, period_start, period_end, allowance, used, blocked, blocked_at, projected_limit_at, updated_at
            FROM \(prefix)usage_caps ORDER BY team_id, period_start
            """), logger: logger)
        var caps: [UsageCapRecord] = []
        for try await (team, start, end, allowance, used, blocked, blockedAt, projected, updatedAt)
            in rows.decode((String, Int64, Int64, Int64, Int64, Bool, Int64?, Int64?, Int64).self) {
            caps.append(UsageCapRecord(
                teamID: team, periodStart: StoredTime.date(start), periodEnd: StoredTime.date(end), allowance: allowance,
                used: used, blocked: blocked, blockedAt: blockedAt.map(StoredTime.date),
                projectedLimitAt: projected.map(StoredTime.date), updatedAt: StoredTime.date(updatedAt)))
        }
        return caps
    }
}
