import Foundation
import GRDB

extension SQLiteStore {
    func periodUsage(_ periods: [TeamBillingPeriod], now: Date) async throws -> [PeriodUsageDay] {
        guard let widestStart = periods.map(\.start).min(), let widestEnd = periods.map(\.end).max() else { return [] }
        let sql = usageSQL.periodUsage
        let arguments: StatementArguments = [StoredTime.seconds(widestStart), StoredTime.seconds(widestEnd), StoredTime.seconds(now)]
        do {
            // A temporary table lives on one connection, so it is filled and read inside one write access.
            return try await writer.write { db in
                try db.execute(sql: """
                    CREATE TEMP TABLE IF NOT EXISTS tally_alert_periods (
                        team_id TEXT PRIMARY KEY, period_start INTEGER NOT NULL, period_end INTEGER NOT NULL)
                    """)
                try db.execute(sql: "DELETE FROM temp.tally_alert_periods")
                let insert = try db.makeStatement(sql: "INSERT OR REPLACE INTO temp.tally_alert_periods VALUES (?, ?, ?)")
                for period in periods {
                    try insert.execute(arguments: [period.teamID, StoredTime.seconds(period.start), StoredTime.seconds(period.end)])
                }
                let days = try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                    PeriodUsageDay(teamID: row["team"], dayIndex: row["day_index"], tokens: row["tokens"] ?? 0)
                }
                try db.execute(sql: "DELETE FROM temp.tally_alert_periods")
                return days
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_ERROR || error.resultCode == .SQLITE_MISMATCH {
            throw ConfigurationError.usageQuery(databaseMessage: error.message ?? "\(error.resultCode)")
        }
    }

    func teamOwnerEmails() async throws -> [String: [String]] {
        try await writer.read { db in
            var owners: [String: [String]] = [:]
            let rows = try Row.fetchAll(db, sql: """
                SELECT CAST(m.team_id AS TEXT) AS team_id, u.email AS email
                FROM team_members m JOIN users u ON u.id = m.user_id
                WHERE m.role = 'owner' AND u.email IS NOT NULL
                ORDER BY m.team_id, u.email
                """)
            for row in rows { owners[row["team_id"], default: []].append(row["email"]) }
            return owners
        }
    }

    func teamWebhooks() async throws -> [String: TeamWebhook] {
        try await writer.read { [prefix] db in
            var hooks: [String: TeamWebhook] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT team_id, url, secret FROM \(prefix)team_webhooks") {
                let hook = TeamWebhook(teamID: row["team_id"], url: row["url"], secret: Secret(row["secret"]))
                hooks[hook.teamID] = hook
            }
            return hooks
        }
    }

    func saveTeamWebhook(_ webhook: TeamWebhook) async throws {
        try await writer.write { [prefix] db in
            try db.execute(sql: """
                INSERT INTO \(prefix)team_webhooks (team_id, url, secret) VALUES (?, ?, ?)
                ON CONFLICT (team_id) DO UPDATE SET url = excluded.url, secret = excluded.secret
                """, arguments: [webhook.teamID, webhook.url, webhook.secret.revealed])
        }
    }

    func usageNotifications(periodStartingAtOrAfter start: Date) async throws -> [UsageNotificationRecord] {
        try await writer.read { [prefix] db in
            try Row.fetchAll(db, sql: """
                SELECT team_id, period_start, threshold, channel, used, allowance, status, attempts, last_error, sent_at
                FROM \(prefix)usage_notifications WHERE period_start >= ?
                ORDER BY team_id, period_start, threshold, channel
                """, arguments: [StoredTime.seconds(start)]).compactMap { row in
                guard let channel = AlertChannel(rawValue: row["channel"]) else { return nil }
                return UsageNotificationRecord(
                    key: UsageNotificationKey(teamID: row["team_id"], periodStart: StoredTime.date(row["period_start"]),
                                              threshold: row["threshold"], channel: channel),
                    used: row["used"], allowance: row["allowance"],
                    status: UsageNotificationStatus(rawValue: row["status"]) ?? .pending, attempts: row["attempts"],
                    lastError: row["last_error"], sentAt: StoredTime.date(row["sent_at"]))
            }
        }
    }

    func claimUsageNotifications(_ records: [UsageNotificationRecord]) async throws -> Int {
        try await writer.write { [prefix] db in
            var inserted = 0
            let statement = try db.makeStatement(sql: """
                INSERT INTO \(prefix)usage_notifications
                    (team_id, period_start, threshold, channel, used, allowance, sent_at, status, attempts)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0)
                ON CONFLICT (team_id, period_start, threshold, channel) DO NOTHING
                """)
            for record in records {
                try statement.execute(arguments: [
                    record.key.teamID, StoredTime.seconds(record.key.periodStart), record.key.threshold,
                    record.key.channel.rawValue, record.used, record.allowance, StoredTime.seconds(record.sentAt),
                ])
                inserted += db.changesCount
            }
            return inserted
        }
    }

    func markUsageNotifications(_ keys: [UsageNotificationKey], outcome: UsageNotificationStatus, error: String?, at: Date) async throws {
        try await writer.write { [prefix] db in
            let statement = try db.makeStatement(sql: """
                UPDATE \(prefix)usage_notifications
                SET status = ?, attempts = attempts + 1, last_error = ?, sent_at = ?
                WHERE team_id = ? AND period_start = ? AND threshold = ? AND channel = ?
                """)
            for key in keys {
                try statement.execute(arguments: [
                    outcome.rawValue, error, StoredTime.seconds(at), key.teamID, StoredTime.seconds(key.periodStart),
                    key.threshold, key.channel.rawValue,
                ])
            }
        }
    }

    func insertInAppNotification(_ notification: InAppNotificationRecord) async throws {
        try await writer.write { [prefix] db in
            try db.execute(sql: """
                INSERT INTO \(prefix)notifications (team_id, period_start, threshold, level, title, body, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (team_id, period_start, threshold) DO NOTHING
                """, arguments: [
                    notification.teamID, StoredTime.seconds(notification.periodStart), notification.threshold,
                    notification.level, notification.title, notification.body, StoredTime.seconds(notification.createdAt),
                ])
        }
    }

    func inAppNotifications(teamID: String) async throws -> [InAppNotificationRecord] {
        try await writer.read { [prefix] db in
            try Row.fetchAll(db, sql: """
                SELECT team_id, period_start, threshold, level, title, body, created_at FROM \(prefix)notifications
                WHERE team_id = ? ORDER BY created_at DESC, id DESC
                """, arguments: [teamID]).map { row in
                InAppNotificationRecord(
                    teamID: row["team_id"], periodStart: StoredTime.date(row["period_start"]), threshold: row["threshold"],
                    level: row["level"], title: row["title"], body: row["body"], createdAt: StoredTime.date(row["created_at"]))
            }
        }
    }

    func saveUsageCaps(_ caps: [UsageCapRecord]) async throws {
        try await writer.write { [prefix] db in
            let statement = try db.makeStatement(sql: """
                INSERT INTO \(prefix)usage_caps
                    (team_id, period_start, period_end, allowance, used, blocked, blocked_at, projected_limit_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (team_id, period_start) DO UPDATE SET
                    period_end = excluded.period_end, allowance = excluded.allowance, used = excluded.used,
                    blocked = excluded.blocked, blocked_at = excluded.blocked_at,
                    projected_limit_at = excluded.projected_limit_at, updated_at = excluded.updated_at
                """)
            for cap in caps {
                try statement.execute(arguments: [
                    cap.teamID, StoredTime.seconds(cap.periodStart), StoredTime.seconds(cap.periodEnd), cap.allowance,
                    cap.used, cap.blocked, cap.blockedAt.map(StoredTime.seconds), cap.projectedLimitAt.map(StoredTime.seconds),
                    StoredTime.seconds(cap.updatedAt),
                ])
            }
        }
    }

    func usageCaps() async throws -> [UsageCapRecord] {
        try await writer.read { [prefix] db in
            try Row.fetchAll(db, sql: """
                SELECT team_id, period_start, period_end, allowance, used, blocked, blocked_at, projected_limit_at, updated_at
                FROM \(prefix)usage_caps ORDER BY team_id, period_start
                """).map { row in
                UsageCapRecord(
                    teamID: row["team_id"], periodStart: StoredTime.date(row["period_start"]),
                    periodEnd: StoredTime.date(row["period_end"]), allowance: row["allowance"], used: row["used"],
                    blocked: row["blocked"], blockedAt: (row["blocked_at"] as Int64?).map(StoredTime.date),
                    projectedLimitAt: (row["projected_limit_at"] as Int64?).map(StoredTime.date),
                    updatedAt: StoredTime.date(row["updated_at"]))
            }
        }
    }
}
