/// One step of Tally's schema, written once per SQL dialect.
///
/// A migration never changes once shipped: a new column or table is a new entry at the end of
/// `TallyMigration.all`. Statements run in order inside one transaction; `p` is the table prefix
/// (`tally_` by default), so the SQL reads as it will run.
public struct TallyMigration: Sendable {
    /// Stable name, recorded in `grdb_migrations` (SQLite) or `<prefix>schema_migrations` (PostgreSQL).
    public var identifier: String
    /// SQLite statements for a table prefix.
    public var sqlite: @Sendable (_ p: String) -> [String]
    /// PostgreSQL statements for a table prefix.
    public var postgres: @Sendable (_ p: String) -> [String]

    public init(_ identifier: String, sqlite: @escaping @Sendable (String) -> [String], postgres: @escaping @Sendable (String) -> [String]) {
        self.identifier = identifier
        self.sqlite = sqlite
        self.postgres = postgres
    }

    /// Every migration, oldest first. Append only.
    public static let all: [TallyMigration] = [
        .v1PlanTables,
        .v1TallyTables,
        .v2EventQueue,
        .v3Alerts,
        .v4BadRowKinds,
        .v5SubscriptionSyncRuns,
        .v6UnconfirmedDeliveries,
        .v7BillingEvents,
        .v8AlertDigest,
    ]
}
