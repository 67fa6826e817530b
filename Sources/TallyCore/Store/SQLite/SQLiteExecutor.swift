import Foundation
import GRDB

/// `SQLExecutor` over GRDB's `DatabaseQueue`: statements run on GRDB's own queue, never on the
/// cooperative pool.
///
/// One connection serves the whole job. Statements take turns (`SQLiteTurns`), and a transaction keeps the
/// turn from `BEGIN IMMEDIATE` to `COMMIT`, so no other task's statement lands inside it.
struct SQLiteExecutor: SQLExecutor {
    let queue: DatabaseQueue
    let turns: SQLiteTurns
    var backend: StoreBackend { .sqlite }

    func query(_ statement: SQLStatement) async throws -> [SQLRow] {
        try await turns.take { try await Self.query(statement, on: queue) }
    }

    func execute(_ statement: SQLStatement) async throws {
        try await turns.take { try await Self.execute(statement, on: queue) }
    }

    func transaction<Result: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> Result) async throws -> Result {
        try await turns.take {
            try await queue.writeWithoutTransaction { db in try db.execute(sql: "BEGIN IMMEDIATE") }
            do {
                let result = try await body(Transaction(queue: queue))
                try await queue.writeWithoutTransaction { db in try db.execute(sql: "COMMIT") }
                return result
            } catch {
                // In a task of its own: GRDB refuses a cancelled task's work, and a stopped job's abandoned
                // transaction must not leave the one connection inside it.
                await Task { try? await queue.writeWithoutTransaction { db in
                    if db.isInsideTransaction { try db.execute(sql: "ROLLBACK") }
                } }.value
                throw error
            }
        }
    }

    func statementProblem(_ error: any Error) -> String? {
        Self.problem(error)
    }

    static func problem(_ error: any Error) -> String? {
        guard let error = error as? DatabaseError,
              error.resultCode == .SQLITE_ERROR || error.resultCode == .SQLITE_MISMATCH else { return nil }
        return error.message ?? "\(error.resultCode)"
    }

    /// The executor handed to a transaction's body: it already holds the turn.
    private struct Transaction: SQLExecutor {
        let queue: DatabaseQueue
        var backend: StoreBackend { .sqlite }

        func query(_ statement: SQLStatement) async throws -> [SQLRow] {
            try await SQLiteExecutor.query(statement, on: queue, inTransaction: true)
        }

        func execute(_ statement: SQLStatement) async throws {
            try await queue.writeWithoutTransaction { db in
                try db.execute(sql: statement.sql(for: .sqlite), arguments: SQLiteExecutor.arguments(statement))
            }
        }

        func transaction<Result: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> Result) async throws -> Result {
            // Already inside one: the body joins it.
            try await body(self)
        }

        func statementProblem(_ error: any Error) -> String? {
            SQLiteExecutor.problem(error)
        }
    }

    private static func query(_ statement: SQLStatement, on queue: DatabaseQueue, inTransaction: Bool = false) async throws -> [SQLRow] {
        let sql = statement.sql(for: .sqlite)
        let arguments = Self.arguments(statement)
        let read: @Sendable (Database) throws -> [SQLRow] = { db in
            let cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            var rows: [SQLRow] = []
            var columns: SQLRow.Columns?
            while let row = try cursor.next() {
                let shared = columns ?? SQLRow.Columns(Array(row.columnNames))
                columns = shared
                rows.append(SQLRow(columns: shared, values: row.databaseValues.map(Self.value)))
            }
            return rows
        }
        // A statement may write (`INSERT … RETURNING`), so it runs as a write; outside a transaction GRDB
        // wraps it in one of its own.
        return inTransaction ? try await queue.writeWithoutTransaction(read) : try await queue.write(read)
    }

    private static func execute(_ statement: SQLStatement, on queue: DatabaseQueue) async throws {
        let sql = statement.sql(for: .sqlite)
        let arguments = Self.arguments(statement)
        try await queue.write { db in try db.execute(sql: sql, arguments: arguments) }
    }

    static func arguments(_ statement: SQLStatement) -> StatementArguments {
        StatementArguments(statement.arguments.map { value -> (any DatabaseValueConvertible)? in
            switch value {
            case .null: nil
            case .integer(let number): number
            case .real(let number): number
            case .text(let text): text
            case .boolean(let flag): flag ? 1 : 0
            }
        })
    }

    private static func value(_ value: DatabaseValue) -> SQLValue {
        switch value.storage {
        case .null: .null
        case .int64(let number): .integer(number)
        case .double(let number): .real(number)
        case .string(let text): .text(text)
        // Tally stores no blobs; one in the app's table reads as text, invalid UTF-8 shown as U+FFFD.
        case .blob(let data): .text(String(decoding: data, as: UTF8.self))
        }
    }
}
