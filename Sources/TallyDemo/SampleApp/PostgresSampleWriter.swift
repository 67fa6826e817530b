import Foundation
import Logging
import PostgresNIO
import TallyCore

/// Writes the sample app's rows into PostgreSQL, usage in `UNNEST` batches.
struct PostgresSampleWriter {
    var location: DatabaseLocation.PostgresLocation
    var logger = Logger(label: "tally.sample-app")

    /// Arrays cannot hold NULL through postgres-nio's encoders, so these stand for it and `NULLIF` restores it.
    private static let nullInteger = Int64.min
    private static let nullText = ""

    private func withTransaction(_ body: (PostgresConnection) async throws -> Void) async throws {
        let connection = try await location.connect(logger: logger)
        do {
            try await connection.query("BEGIN", logger: logger)
            try await body(connection)
            try await connection.query("COMMIT", logger: logger)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }

    func execute(_ statements: [String]) async throws {
        try await withTransaction { connection in
            for statement in statements {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
        }
    }

    func insert(_ app: SampleApp) async throws {
        try await withTransaction { connection in
            for team in app.teams {
                try await connection.query("""
                    INSERT INTO teams (id, name, stripe_customer_id, stripe_subscription_id, stripe_product_id, plan_name, subscription_status)
                    VALUES (\(Int32(team.id)), \(team.name), \(team.stripeCustomerID), \(team.stripeSubscriptionID), \(team.stripeProductID), \(team.planName), \(team.subscriptionStatus))
                    """, logger: logger)
            }
            for user in app.users {
                try await connection.query(
                    "INSERT INTO users (id, name, email) VALUES (\(Int32(user.id)), \(user.name), \(user.email))", logger: logger
                )
            }
            for member in app.members {
                try await connection.query(
                    "INSERT INTO team_members (user_id, team_id, role) VALUES (\(Int32(member.userID)), \(Int32(member.teamID)), \(member.role))",
                    logger: logger
                )
            }
            try await insertUsage(app.usage, on: connection)
            // Explicit ids leave the serial sequences behind; move them on as the app's own inserts would.
            for table in ["teams", "users"] {
                try await connection.query(PostgresQuery(unsafeSQL: """
                    SELECT setval(pg_get_serial_sequence('\(table)', 'id'), COALESCE((SELECT MAX(id) FROM \(table)), 0) + 1, false)
                    """), logger: logger)
            }
        }
    }

    func insertUsage(count: Int, batchSize: Int, row: @escaping @Sendable (Int) -> SampleUsage) async throws {
        try await withTransaction { connection in
            for start in stride(from: 0, to: count, by: max(1, batchSize)) {
                let batch = (start..<min(start + max(1, batchSize), count)).map(row)
                try await insertUsage(batch, on: connection)
            }
        }
    }

    private func insertUsage(_ usage: [SampleUsage], on connection: PostgresConnection) async throws {
        guard !usage.isEmpty else { return }
        let teams = usage.map { $0.teamID ?? Self.nullInteger }
        let users = usage.map { $0.userID ?? Self.nullInteger }
        let actions = usage.map(\.action)
        let tokens = usage.map(\.tokens)
        let created = usage.map { Int64($0.createdAt.timeIntervalSince1970) }
        let identifiers = usage.map { $0.meterEventIdentifier ?? Self.nullText }
        let reported = usage.map { $0.reportedAt.map { Int64($0.timeIntervalSince1970) } ?? Self.nullInteger }
        try await connection.query("""
            INSERT INTO token_usage (team_id, user_id, action, tokens, created_at, meter_event_identifier, meter_reported_at)
            SELECT NULLIF(r.team_id, \(Self.nullInteger)), NULLIF(r.user_id, \(Self.nullInteger)), r.action, r.tokens,
                   to_timestamp(r.created_at) AT TIME ZONE 'UTC', NULLIF(r.identifier, ''),
                   to_timestamp(NULLIF(r.reported_at, \(Self.nullInteger))) AT TIME ZONE 'UTC'
            FROM UNNEST(\(teams)::bigint[], \(users)::bigint[], \(actions)::text[], \(tokens)::bigint[], \(created)::bigint[],
                        \(identifiers)::text[], \(reported)::bigint[])
                AS r (team_id, user_id, action, tokens, created_at, identifier, reported_at)
            """, logger: logger)
    }
}
