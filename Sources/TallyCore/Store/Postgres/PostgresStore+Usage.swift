import Foundation
import PostgresNIO

extension PostgresStore {
    func dailyUsage(from start: Date, to end: Date, now: Date, includingUnreadable: Bool) async throws -> UsageAggregate {
        let binds = Self.binds(StoredTime.seconds(start), StoredTime.seconds(end), StoredTime.seconds(now),
                               includingUnreadable ? 1 : 0)
        let groups = try await readingUsage {
            var groups: [UsageGroup] = []
            let rows = try await client.query(PostgresQuery(unsafeSQL: usageSQL.dailyUsage, binds: binds), logger: logger)
            for try await (problem, customer, team, day, high, low, count, reportedHigh, reportedLow, lastEventAt, lastTokens, hours)
                in rows.decode((Int32, String?, String?, Int64?, Int64?, Int64?, Int64, Int64?, Int64?, Int64?, Int64?, Int64).self) {
                groups.append(UsageGroup(
                    problem: Int64(problem), customer: customer, team: team, day: day, tokensHigh: high, tokensLow: low,
                    rows: count, reportedHigh: reportedHigh, reportedLow: reportedLow, lastEventAt: lastEventAt,
                    lastTokens: lastTokens, activeHours: hours
                ))
            }
            return groups
        }
        var examples: [(UsageProblem, String)] = []
        if groups.contains(where: { $0.problem != 0 }) {
            let listed = Self.binds(StoredTime.seconds(start), StoredTime.seconds(end), StoredTime.seconds(now),
                                    includingUnreadable ? 1 : 0, Int64(BadUsageRows.listedPerProblem * UsageProblem.allCases.count))
            examples = try await readingUsage {
                var found: [(UsageProblem, String)] = []
                let rows = try await client.query(PostgresQuery(unsafeSQL: usageSQL.badRows, binds: listed), logger: logger)
                for try await (problem, id) in rows.decode((Int32, String).self) {
                    if let problem = UsageProblem(rawValue: Int64(problem)) { found.append((problem, id)) }
                }
                return found
            }
        }
        return UsageAggregate(groups: groups, examples: examples)
    }

    func usageRows(from start: Date, to end: Date, customer: String?) async throws -> [UsageRow] {
        var binds = Self.binds(StoredTime.seconds(start), StoredTime.seconds(end))
        if let customer { binds.append(customer) }
        let sql = usageSQL.usageRows(filtered: customer != nil)
        return try await readingUsage {
            var usage: [UsageRow] = []
            let rows = try await client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
            for try await (id, team, customer, user, action, tokens, createdAt, identifier, reportedAt, problem)
                in rows.decode((String, String?, String?, String?, String?, Int64, Int64, String?, Int64?, Int32).self) {
                usage.append(UsageRow(
                    id: id, teamID: team, stripeCustomerID: customer, userID: user, action: action, tokens: tokens,
                    createdAt: StoredTime.date(createdAt), meterEventIdentifier: identifier,
                    reportedAt: reportedAt.map(StoredTime.date), problem: UsageProblem(rawValue: Int64(problem))
                ))
            }
            return usage
        }
    }

    func checkUsageColumns() async throws {
        let sampled = try await readingUsage {
            var found: [[String]] = []
            let rows = try await client.query(PostgresQuery(unsafeSQL: usageSQL.columnTypes, binds: PostgresBindings()), logger: logger)
            for try await (tokens, createdAt, reportedAt) in rows.decode((String, String, String).self) {
                found.append([tokens, createdAt, reportedAt])
            }
            return found
        }
        let columns = ["tokens", "created_at", "reported_at"].enumerated().map { index, column in
            (column: column, types: Set(sampled.map { $0[index] }))
        }
        if let bad = UsageSQL.nonNumericColumn(columns) {
            throw ConfigurationError.usageQueryColumnType(column: bad.column, type: bad.type)
        }
    }

    private static func binds(_ values: Int64...) -> PostgresBindings {
        var binds = PostgresBindings(capacity: values.count)
        for value in values { binds.append(value) }
        return binds
    }

    /// Runs a read through the usage query. Syntax errors, unknown columns (SQLSTATE class 42) and bad
    /// values (class 22) are the query's fault, so they become a `USAGE_QUERY` configuration error.
    private func readingUsage<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PSQLError where error.code == .server {
            let state = error.serverInfo?[.sqlState] ?? ""
            guard state.hasPrefix("42") || state.hasPrefix("22") else { throw error }
            throw ConfigurationError.usageQuery(databaseMessage: error.serverInfo?[.message] ?? "SQLSTATE \(state)")
        } catch let error as PostgresDecodingError {
            throw ConfigurationError.usageQueryValue(column: error.columnName, detail: "PostgreSQL type \(error.postgresType)")
        }
    }
}
