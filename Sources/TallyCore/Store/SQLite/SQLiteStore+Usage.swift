import Foundation
import GRDB

extension SQLiteStore {
    func dailyUsage(from start: Date, to end: Date, now: Date, includingUnreadable: Bool) async throws -> UsageAggregate {
        let arguments: StatementArguments = [StoredTime.seconds(start), StoredTime.seconds(end), StoredTime.seconds(now),
                                             includingUnreadable ? 1 : 0]
        let sql = usageSQL.dailyUsage
        let groups = try await readingUsage { db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                try UsageGroup(
                    problem: row.decode(forColumn: "problem"), customer: row.decode(forColumn: "customer"),
                    team: row.decode(forColumn: "team"), day: row.decode(forColumn: "day"),
                    tokensHigh: row.decode(forColumn: "tokens_high"), tokensLow: row.decode(forColumn: "tokens_low"),
                    rows: row.decode(forColumn: "row_count"),
                    reportedHigh: row.decode(forColumn: "reported_high"), reportedLow: row.decode(forColumn: "reported_low"),
                    lastEventAt: row.decode(forColumn: "last_event_at"), lastTokens: row.decode(forColumn: "last_tokens"),
                    activeHours: row.decode(forColumn: "active_hours")
                )
            }
        }
        var examples: [(UsageProblem, String)] = []
        if groups.contains(where: { $0.problem != 0 }) {
            let listed = arguments + [Int64(BadUsageRows.listedPerProblem * UsageProblem.allCases.count)]
            let badSQL = usageSQL.badRows
            examples = try await readingUsage { db in
                try Row.fetchAll(db, sql: badSQL, arguments: listed).compactMap { row in
                    let code: Int64 = try row.decode(forColumn: "problem")
                    return try UsageProblem(rawValue: code).map { ($0, try row.decode(String.self, forColumn: "id")) }
                }
            }
        }
        return UsageAggregate(groups: groups, examples: examples)
    }

    func usageRows(from start: Date, to end: Date, customer: String?) async throws -> [UsageRow] {
        var bound: StatementArguments = [StoredTime.seconds(start), StoredTime.seconds(end)]
        if let customer { bound += [customer] }
        let arguments = bound
        let sql = usageSQL.usageRows(filtered: customer != nil)
        return try await readingUsage { db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                try UsageRow(
                    id: row.decode(forColumn: "id"), teamID: row.decode(forColumn: "team_id"), stripeCustomerID: row.decode(forColumn: "stripe_customer_id"),
                    userID: row.decode(forColumn: "user_id"), action: row.decode(forColumn: "action"), tokens: row.decode(forColumn: "tokens"),
                    createdAt: StoredTime.date(row.decode(Int64.self, forColumn: "created_at")),
                    meterEventIdentifier: row.decode(forColumn: "meter_event_identifier"),
                    reportedAt: (row.decode(Int64?.self, forColumn: "reported_at")).map(StoredTime.date),
                    problem: UsageProblem(rawValue: row.decode(Int64.self, forColumn: "problem"))
                )
            }
        }
    }

    func checkUsageColumns() async throws {
        let sql = usageSQL.columnTypes
        let sampled = try await readingUsage { db in
            try Row.fetchAll(db, sql: sql).map { row -> [String] in
                [row["tokens"] ?? "null", row["created_at"] ?? "null", row["reported_at"] ?? "null"]
            }
        }
        let columns = ["tokens", "created_at", "reported_at"].enumerated().map { index, column in
            (column: column, types: Set(sampled.map { $0[index] }))
        }
        if let bad = UsageSQL.nonNumericColumn(columns) {
            throw ConfigurationError.usageQueryColumnType(column: bad.column, type: bad.type)
        }
    }

    /// Reads through the usage query; SQL errors there are the query's fault, so they become a
    /// `USAGE_QUERY` configuration error, while busy or I/O errors stay temporary.
    private func readingUsage<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await writer.read(body)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_ERROR || error.resultCode == .SQLITE_MISMATCH {
            throw ConfigurationError.usageQuery(databaseMessage: error.message ?? "\(error.resultCode)")
        } catch is RowDecodingError {
            throw ConfigurationError.usageQueryValue(column: nil, detail: "SQLite could not convert a value")
        }
    }
}
