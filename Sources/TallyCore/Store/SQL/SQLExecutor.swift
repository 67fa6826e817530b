/// Runs statements against one database: the one thing the SQL store needs from GRDB or postgres-nio.
///
/// Every store role is written once against this protocol; `SQLiteDatabase` and `PostgresDatabase` adapt
/// it, and the few places the dialects differ are named hooks (`SQLDialect`, `UsageSQL`).
public protocol SQLExecutor: Sendable {
    /// Which backend runs the statements, for the dialect hooks.
    var backend: StoreBackend { get }
    /// The statement's rows.
    func query(_ statement: SQLStatement) async throws -> [SQLRow]
    /// Runs a statement that returns no rows.
    func execute(_ statement: SQLStatement) async throws
    /// Runs `body` in one transaction on one connection: committed when it returns, rolled back when it
    /// throws (its own error is rethrown). Inside, use only the executor handed in.
    func transaction<Result: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> Result) async throws -> Result
    /// The database's own message when `error` is the statement's fault (a syntax error, a missing column or
    /// table, a type the statement cannot use), so a user-written query can be named; nil for anything else
    /// (connection lost, disk full), which keeps its own exit code.
    func statementProblem(_ error: any Error) -> String?
}

extension SQLExecutor {
    /// The first row, if any.
    public func queryOne(_ statement: SQLStatement) async throws -> SQLRow? {
        try await query(statement).first
    }
}

/// Where the two SQL dialects differ in statements Tally writes itself.
extension StoreBackend {
    /// Appended to a `SELECT` inside a transaction that will write what it read: PostgreSQL locks the rows;
    /// SQLite's write transactions (`BEGIN IMMEDIATE`) already hold the whole database.
    var lockingRead: String {
        self == .postgres ? " FOR UPDATE" : ""
    }
}

extension StoreBackend {
    /// An expression ordering rows of `alias` by when they were inserted, for tables without an id column.
    func insertionOrder(_ alias: String) -> String {
        self == .postgres ? "\(alias).ctid" : "\(alias).rowid"
    }
}
