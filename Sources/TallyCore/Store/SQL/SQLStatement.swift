/// One SQL statement written once for both backends, with its arguments bound where they are interpolated:
///
///     "SELECT status FROM \(raw: prefix)job_runs WHERE id = \(id)"
///
/// An interpolated value becomes a parameter (never text in the SQL); `\(raw:)` inserts SQL text such as a
/// table prefix or a column list; `\(list:)` a comma-separated parameter list for `IN (…)`. The markers are
/// chosen when the statement runs: `?` for SQLite, `$n` for PostgreSQL.
public struct SQLStatement: Sendable, ExpressibleByStringInterpolation {
    enum Part: Sendable {
        case text(String)
        case parameter
    }

    private(set) var parts: [Part] = []
    public private(set) var arguments: [SQLValue] = []

    public init(stringLiteral value: String) {
        parts = [.text(value)]
    }

    public init(stringInterpolation: Interpolation) {
        parts = stringInterpolation.parts
        arguments = stringInterpolation.arguments
    }

    /// SQL already written for one backend, with its own markers (`UsageSQL`'s `?n`/`$n`), and its arguments
    /// in marker order.
    public init(prepared sql: String, arguments: [any SQLBindable]) {
        parts = [.text(sql)]
        self.arguments = arguments.map(\.sqlValue)
    }

    public struct Interpolation: StringInterpolationProtocol {
        var parts: [Part] = []
        var arguments: [SQLValue] = []

        public init(literalCapacity: Int, interpolationCount: Int) {}

        public mutating func appendLiteral(_ literal: String) {
            parts.append(.text(literal))
        }

        /// A bound parameter.
        public mutating func appendInterpolation(_ value: some SQLBindable) {
            parts.append(.parameter)
            arguments.append(value.sqlValue)
        }

        /// A bound parameter that may be NULL.
        public mutating func appendInterpolation<Value: SQLBindable>(_ value: Value?) {
            parts.append(.parameter)
            arguments.append(value.sqlValue)
        }

        /// SQL text, never a value that came from outside Tally's own code.
        public mutating func appendInterpolation(raw sql: String) {
            parts.append(.text(sql))
        }

        /// `?, ?, ?`: one parameter per value, for `IN (…)` (callers keep lists in batches well under both
        /// backends' parameter limits).
        public mutating func appendInterpolation(list values: [some SQLBindable]) {
            for (index, value) in values.enumerated() {
                if index > 0 { parts.append(.text(", ")) }
                parts.append(.parameter)
                arguments.append(value.sqlValue)
            }
        }

        /// A whole statement's text and arguments, inlined (for composing statements from parts).
        public mutating func appendInterpolation(_ statement: SQLStatement) {
            parts += statement.parts
            arguments += statement.arguments
        }
    }

    /// The statement's text with the backend's parameter markers.
    func sql(for backend: StoreBackend) -> String {
        var text = ""
        var number = 0
        for part in parts {
            switch part {
            case .text(let sql):
                text += sql
            case .parameter:
                number += 1
                text += backend == .sqlite ? "?" : "$\(number)"
            }
        }
        return text
    }

    /// `INSERT INTO table (columns) VALUES (…), (…)` for `rows`, followed by `suffix` (e.g. an `ON CONFLICT`
    /// clause): one statement for many rows, the same on both backends. Keep `rows` to a batch
    /// (`SQLStatement.batches`).
    public static func insert(into table: String, columns: [String], rows: [[any SQLBindable]], suffix: String = "") -> SQLStatement {
        var statement = SQLStatement(stringLiteral: "INSERT INTO \(table) (\(columns.joined(separator: ", "))) ")
        let rows = values(rows)
        statement.parts += rows.parts
        statement.arguments += rows.arguments
        if !suffix.isEmpty { statement.parts.append(.text("\n" + suffix)) }
        return statement
    }

    /// `VALUES (?, ?), (?, ?)` for `rows`, to compare row values (`(a, b) IN (VALUES …)`) or select from.
    public static func values(_ rows: [[any SQLBindable]]) -> SQLStatement {
        var statement = SQLStatement(stringLiteral: "VALUES ")
        for (index, row) in rows.enumerated() {
            statement.parts.append(.text(index == 0 ? "(" : ", ("))
            for (column, value) in row.enumerated() {
                if column > 0 { statement.parts.append(.text(", ")) }
                statement.parts.append(.parameter)
                statement.arguments.append(value.sqlValue)
            }
            statement.parts.append(.text(")"))
        }
        return statement
    }

    /// `values` in slices small enough that a statement binding `columns` parameters per value stays well
    /// under SQLite's (32,766) and PostgreSQL's (65,535) parameter limits.
    public static func batches<T>(_ values: [T], columns: Int = 1) -> [ArraySlice<T>] {
        let size = max(1, 10_000 / max(1, columns))
        return stride(from: 0, to: values.count, by: size).map { values[$0..<min($0 + size, values.count)] }
    }
}
