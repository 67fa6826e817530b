import Foundation
import Logging
import PostgresNIO

/// Runs `TallyMigration.all` on PostgreSQL, recording each in `<prefix>schema_migrations`.
///
/// All pending migrations run in one transaction under a transaction-scoped advisory lock, so two hosts
/// starting at once never both migrate, and a failed migration leaves nothing half-applied.
struct PostgresMigrator {
    var prefix: String
    var logger: Logger

    func migrate(_ connection: PostgresConnection) async throws {
        try await connection.query("BEGIN", logger: logger)
        do {
            try await connection.query(
                "SELECT pg_advisory_xact_lock(\(PostgresAdvisoryLock.key(for: "\(prefix)schema_migrations")))",
                logger: logger
            )
            try await execute("""
                CREATE TABLE IF NOT EXISTS \(prefix)schema_migrations (
                    identifier text PRIMARY KEY,
                    applied_order integer NOT NULL,
                    applied_at bigint NOT NULL
                )
                """, on: connection)
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: "SELECT identifier FROM \(prefix)schema_migrations"), logger: logger
            )
            var applied = Set<String>()
            for try await identifier in rows.decode(String.self) { applied.insert(identifier) }

            for (order, migration) in TallyMigration.all.enumerated() where !applied.contains(migration.identifier) {
                for statement in migration.postgres(prefix) {
                    try await execute(statement, on: connection)
                }
                var binds = PostgresBindings()
                binds.append(migration.identifier)
                binds.append(Int32(order + 1))
                binds.append(StoredTime.seconds(Date()))
                try await connection.query(
                    PostgresQuery(
                        unsafeSQL: "INSERT INTO \(prefix)schema_migrations (identifier, applied_order, applied_at) VALUES ($1, $2, $3)",
                        binds: binds
                    ),
                    logger: logger
                )
                logger.info("applied migration", metadata: ["migration": "\(migration.identifier)"])
            }
            try await connection.query("COMMIT", logger: logger)
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    private func execute(_ sql: String, on connection: PostgresConnection) async throws {
        try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
    }
}
