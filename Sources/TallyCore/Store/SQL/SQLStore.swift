import Foundation
import Logging

/// Tally's store, written once for both backends: every role (`JobRunStore`, `UsageSource`,
/// `ReconciliationStore`, …) is one extension of this type holding one SQL statement per query, run by the
/// backend's `SQLExecutor`.
///
/// Open one with `openStore(_:logger:)`.
final class SQLStore: StoreMaintenance, JobLockProvider, Sendable {
    let database: any SQLDatabase
    let sql: any SQLExecutor
    /// Prepended to Tally's own table names (`TABLE_PREFIX`).
    let prefix: String
    /// The app's usage query, wrapped for this backend.
    let usageSQL: UsageSQL
    let logger: Logger

    init(database: any SQLDatabase, configuration: StoreConfiguration, logger: Logger) {
        self.database = database
        self.sql = database.executor
        self.prefix = configuration.tablePrefix
        self.usageSQL = UsageSQL(backend: database.executor.backend, usageQuery: configuration.effectiveUsageQuery)
        self.logger = logger
    }

    var backend: StoreBackend { sql.backend }

    func tryLock(job: String) async throws -> (any JobLock)? {
        try await database.tryLock(job: job)
    }

    func close() async throws {
        try await database.close()
    }

    func tableNames() async throws -> Set<String> {
        try await database.tableNames()
    }

    func appliedMigrations() async throws -> [String] {
        try await database.appliedMigrations()
    }

    /// Runs a statement through the app's usage query: the database's complaint about the query itself
    /// (syntax, a missing column, a value of the wrong type) becomes a `USAGE_QUERY` configuration error.
    func readingUsage<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as SQLRowDecodingError {
            throw ConfigurationError.usageQueryValue(column: error.column, detail: error.found)
        } catch {
            guard let message = sql.statementProblem(error) else { throw error }
            throw ConfigurationError.usageQuery(databaseMessage: message)
        }
    }
}
