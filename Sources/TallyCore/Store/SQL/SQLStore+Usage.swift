import Foundation

extension SQLStore: UsageSource {
    func dailyUsage(from start: Date, to end: Date, now: Date, includingUnreadable: Bool) async throws -> UsageAggregate {
        let arguments: [any SQLBindable] = [start, end, now, includingUnreadable ? 1 : 0]
        let groups = try await readingUsage {
            try await sql.query(SQLStatement(prepared: usageSQL.dailyUsage, arguments: arguments)).map { row in
                UsageGroup(
                    problem: try row["problem"], customer: try row["customer"], team: try row["team"], day: try row["day"],
                    tokensHigh: try row["tokens_high"], tokensLow: try row["tokens_low"], rows: try row["row_count"],
                    reportedHigh: try row["reported_high"], reportedLow: try row["reported_low"],
                    lastEventAt: try row["last_event_at"], lastTokens: try row["last_tokens"], activeHours: try row["active_hours"])
            }
        }
        var examples: [(UsageProblem, String)] = []
        if groups.contains(where: { $0.problem != 0 }) {
            let listed = arguments + [BadUsageRows.listedPerProblem * UsageProblem.allCases.count]
            examples = try await readingUsage {
                try await sql.query(SQLStatement(prepared: usageSQL.badRows, arguments: listed)).compactMap { row in
                    let code: Int64 = try row["problem"]
                    return try UsageProblem(rawValue: code).map { ($0, try row["id"] as String) }
                }
            }
        }
        return UsageAggregate(groups: groups, examples: examples)
    }

    func usageRows(from start: Date, to end: Date, customer: String?) async throws -> [UsageRow] {
        var arguments: [any SQLBindable] = [start, end]
        if let customer { arguments.append(customer) }
        let statement = SQLStatement(prepared: usageSQL.usageRows(filtered: customer != nil), arguments: arguments)
        return try await readingUsage {
            try await sql.query(statement).map(Self.usageRow)
        }
    }

    private static func usageRow(_ row: SQLRow) throws -> UsageRow {
        UsageRow(
            id: try row["id"], teamID: try row["team_id"], stripeCustomerID: try row["stripe_customer_id"],
            userID: try row["user_id"], action: try row["action"], tokens: try row["tokens"],
            createdAt: try row["created_at"], meterEventIdentifier: try row["meter_event_identifier"],
            reportedAt: try row["reported_at"], problem: UsageProblem(rawValue: try row["problem"]))
    }

    func usageRows(from start: Date, to end: Date, customers: [String]) async throws -> [UsageRow] {
        var rows: [UsageRow] = []
        // Within both backends' limits on bound parameters; the batches' rows merged back into time order.
        let batches = SQLStatement.batches(customers)
        for batch in batches {
            let statement = SQLStatement(prepared: usageSQL.usageRows(customers: batch.count),
                                         arguments: [start, end] + batch.map { $0 as any SQLBindable })
            rows += try await readingUsage { try await sql.query(statement).map(Self.usageRow) }
        }
        return batches.count > 1 ? rows.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) } : rows
    }

    func checkUsageColumns() async throws {
        let sampled = try await readingUsage {
            try await sql.query(SQLStatement(prepared: usageSQL.columnTypes, arguments: [])).map { row -> [String] in
                [try row["tokens"] ?? "null", try row["created_at"] ?? "null", try row["reported_at"] ?? "null"]
            }
        }
        let columns = ["tokens", "created_at", "reported_at"].enumerated().map { index, column in
            (column: column, types: Set(sampled.map { $0[index] }))
        }
        if let bad = UsageSQL.nonNumericColumn(columns) {
            throw ConfigurationError.usageQueryColumnType(column: bad.column, type: bad.type)
        }
    }
}
