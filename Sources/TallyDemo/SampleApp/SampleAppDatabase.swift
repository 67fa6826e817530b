import Foundation
import TallyCore

/// Creates and fills a sample app database, writing the app's tables directly as the app would.
public enum SampleAppDatabase {
    /// Creates the starter schema at `location` and inserts `app`'s rows.
    public static func create(at location: DatabaseLocation, app: SampleApp = SampleApp()) async throws {
        try await execute(schema(for: location.backend), at: location)
        try await insert(app, at: location)
    }

    /// The starter schema's statements for a backend.
    public static func schema(for backend: StoreBackend) -> [String] {
        switch backend {
        case .sqlite: SampleAppSchema.sqlite
        case .postgres: SampleAppSchema.postgres
        }
    }

    /// Inserts teams, users, members and usage into an existing schema, in one transaction.
    public static func insert(_ app: SampleApp, at location: DatabaseLocation) async throws {
        switch location {
        case .sqlite(let sqlite): try await SQLiteSampleWriter(location: sqlite).insert(app)
        case .postgres(let postgres): try await PostgresSampleWriter(location: postgres).insert(app)
        }
    }

    /// Inserts `count` generated usage rows in batches (one transaction and one prepared statement on
    /// SQLite, `UNNEST` arrays of `batchSize` rows on PostgreSQL).
    public static func insertUsage(
        count: Int, at location: DatabaseLocation, batchSize: Int = 10_000, row: @escaping @Sendable (Int) -> SampleUsage
    ) async throws {
        switch location {
        case .sqlite(let sqlite): try await SQLiteSampleWriter(location: sqlite).insertUsage(count: count, row: row)
        case .postgres(let postgres):
            try await PostgresSampleWriter(location: postgres).insertUsage(count: count, batchSize: batchSize, row: row)
        }
    }

    /// Runs SQL as given (a differently named schema, a fixture), in one transaction.
    public static func execute(_ statements: [String], at location: DatabaseLocation) async throws {
        switch location {
        case .sqlite(let sqlite): try await SQLiteSampleWriter(location: sqlite).execute(statements)
        case .postgres(let postgres): try await PostgresSampleWriter(location: postgres).execute(statements)
        }
    }
}

/// The sample app needs a database others can open too; a private `:memory:` one cannot be shared.
struct SampleAppNeedsFile: Error, CustomStringConvertible {
    var description: String { "the sample app database needs sqlite:PATH, not sqlite::memory:, so the store can open it too" }
}
