import Foundation
import GRDB
import TallyCore

/// Writes the sample app's rows into a SQLite file through GRDB's async writes.
struct SQLiteSampleWriter {
    var location: DatabaseLocation.SQLiteLocation

    private func open() throws -> DatabaseQueue {
        guard case .file(let path) = location else { throw SampleAppNeedsFile() }
        return try DatabaseQueue(path: path)
    }

    func execute(_ statements: [String]) async throws {
        let queue = try open()
        try await queue.write { db in
            for statement in statements { try db.execute(sql: statement) }
        }
        try queue.close()
    }

    func insert(_ app: SampleApp) async throws {
        let queue = try open()
        try await queue.write { db in
            for team in app.teams {
                try db.execute(
                    sql: """
                        INSERT INTO teams (id, name, stripe_customer_id, stripe_subscription_id, stripe_product_id, plan_name, subscription_status)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [team.id, team.name, team.stripeCustomerID, team.stripeSubscriptionID, team.stripeProductID, team.planName, team.subscriptionStatus]
                )
            }
            for user in app.users {
                try db.execute(sql: "INSERT INTO users (id, name, email) VALUES (?, ?, ?)", arguments: [user.id, user.name, user.email])
            }
            for member in app.members {
                try db.execute(
                    sql: "INSERT INTO team_members (user_id, team_id, role) VALUES (?, ?, ?)",
                    arguments: [member.userID, member.teamID, member.role]
                )
            }
            let statement = try Self.usageStatement(db)
            for usage in app.usage { try Self.insert(usage, with: statement) }
        }
        try queue.close()
    }

    func insertUsage(count: Int, row: @escaping @Sendable (Int) -> SampleUsage) async throws {
        let queue = try open()
        // One transaction and one prepared statement: SQLite's fastest way in without a bulk loader.
        try await queue.write { db in
            let statement = try Self.usageStatement(db)
            for index in 0..<count { try Self.insert(row(index), with: statement) }
        }
        try queue.close()
    }

    private static func usageStatement(_ db: Database) throws -> Statement {
        try db.makeStatement(sql: """
            INSERT INTO token_usage (team_id, user_id, action, tokens, created_at, meter_event_identifier, meter_reported_at)
            VALUES (?, ?, ?, ?, datetime(?, 'unixepoch'), ?, datetime(?, 'unixepoch'))
            """)
    }

    private static func insert(_ usage: SampleUsage, with statement: Statement) throws {
        try statement.execute(arguments: [
            usage.teamID, usage.userID, usage.action, usage.tokens, Int64(usage.createdAt.timeIntervalSince1970),
            usage.meterEventIdentifier, usage.reportedAt.map { Int64($0.timeIntervalSince1970) },
        ])
    }
}
