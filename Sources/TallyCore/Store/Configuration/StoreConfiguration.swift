import Foundation

/// How to open Tally's store.
public struct StoreConfiguration: Sendable {
    /// The database (`DATABASE_URL`).
    public var location: DatabaseLocation
    /// The app's usage query (`USAGE_QUERY`); `nil` uses `UsageQuery.default(for:)`, written for the
    /// Next.js SaaS starter's `token_usage` and `teams` tables.
    public var usageQuery: String?
    /// Connections in the PostgreSQL pool. Default: 4. SQLite ignores it.
    public var poolSize: Int
    /// Prefix of the tables Tally owns, so they never collide with the app's. Default: `tally_`.
    public var tablePrefix: String
    /// When true (every job), the database must already exist and hold the table the usage query reads,
    /// checked before any migration: a wrong or missing `DATABASE_URL` stops with exit 78 and leaves no
    /// new file and no Tally tables behind. Tests that build a database from nothing leave it false.
    public var requiresAppDatabase = false

    public init(
        location: DatabaseLocation = .sqlite(.file(path: "./tally.sqlite")),
        usageQuery: String? = nil,
        poolSize: Int = 4,
        tablePrefix: String = "tally_"
    ) {
        self.location = location
        self.usageQuery = usageQuery
        self.poolSize = poolSize
        self.tablePrefix = tablePrefix
    }

    /// The usage query in effect: the configured one, or the backend's default.
    public var effectiveUsageQuery: String {
        if let usageQuery, !usageQuery.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            return usageQuery
        }
        return UsageQuery.default(for: location.backend)
    }
}
