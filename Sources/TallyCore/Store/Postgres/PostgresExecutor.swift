import Foundation
import Logging
import PostgresNIO

/// `SQLExecutor` over postgres-nio: the pool for single statements, one leased connection for a
/// transaction.
struct PostgresExecutor: SQLExecutor {
    enum Target: Sendable {
        case pool(PostgresClient)
        case connection(PostgresConnection)
    }

    let target: Target
    let logger: Logger
    var backend: StoreBackend { .postgres }

    func query(_ statement: SQLStatement) async throws -> [SQLRow] {
        let query = Self.query(statement)
        let sequence: PostgresRowSequence = switch target {
        case .pool(let client): try await client.query(query, logger: logger)
        case .connection(let connection): try await connection.query(query, logger: logger)
        }
        var rows: [SQLRow] = []
        var columns: SQLRow.Columns?
        for try await row in sequence {
            let shared = columns ?? SQLRow.Columns(row.map(\.columnName))
            columns = shared
            rows.append(SQLRow(columns: shared, values: try row.map(Self.value)))
        }
        return rows
    }

    func execute(_ statement: SQLStatement) async throws {
        _ = try await query(statement)
    }

    func transaction<Result: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> Result) async throws -> Result {
        switch target {
        case .connection:
            // Already inside one: the body joins it.
            return try await body(self)
        case .pool(let client):
            let logger = self.logger
            do {
                return try await client.withTransaction(logger: logger) { connection in
                    try await body(PostgresExecutor(target: .connection(connection), logger: logger))
                }
            } catch let error as PostgresTransactionError {
                // The body's own error, not postgres-nio's wrapper, so callers see its exit code.
                throw error.closureError ?? error.beginError ?? error.commitError ?? error
            }
        }
    }

    /// Syntax errors, unknown columns or tables (SQLSTATE class 42) and bad values (class 22) are the
    /// statement's fault.
    func statementProblem(_ error: any Error) -> String? {
        guard let error = error as? PSQLError, error.code == .server else { return nil }
        let state = error.serverInfo?[.sqlState] ?? ""
        guard state.hasPrefix("42") || state.hasPrefix("22") else { return nil }
        return error.serverInfo?[.message] ?? "SQLSTATE \(state)"
    }

    private static func query(_ statement: SQLStatement) -> PostgresQuery {
        var binds = PostgresBindings(capacity: statement.arguments.count)
        for argument in statement.arguments {
            switch argument {
            case .null: binds.appendNull()
            case .integer(let number): binds.append(number)
            case .real(let number): binds.append(number)
            case .text(let text): binds.append(text)
            case .boolean(let flag): binds.append(flag)
            }
        }
        return PostgresQuery(unsafeSQL: statement.sql(for: .postgres), binds: binds)
    }

    /// A cell as a value: integers of any width as `integer`, floating point as `real`, `numeric` as an
    /// integer when it is whole (sums) and a real otherwise, text-like types as text.
    private static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .bool:
            return .boolean(try cell.decode(Bool.self))
        case .int2, .int4, .int8:
            return .integer(try cell.decode(Int64.self))
        case .float4, .float8:
            return .real(try cell.decode(Double.self))
        case .numeric:
            let text = try cell.decode(String.self)
            if let whole = Int64(text) { return .integer(whole) }
            guard let number = Double(text) else {
                throw SQLRowDecodingError(column: cell.columnName, expected: "a number", found: "numeric \(text.count) characters long")
            }
            return .real(number)
        default:
            do {
                return .text(try cell.decode(String.self))
            } catch {
                throw SQLRowDecodingError(column: cell.columnName, expected: "a value Tally reads",
                                          found: "PostgreSQL type \(cell.dataType)")
            }
        }
    }
}
