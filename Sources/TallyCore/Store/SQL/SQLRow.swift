import Foundation

/// One result row, read the same way whichever backend produced it: `try row["column"]` decodes the
/// column as the type the caller asks for, and fails (never guesses) when the stored value is not one.
public struct SQLRow: Sendable {
    /// Column positions by lower-cased name, shared by every row of one result.
    final class Columns: Sendable {
        let names: [String]
        let positions: [String: Int]

        init(_ names: [String]) {
            self.names = names
            var positions: [String: Int] = [:]
            for (index, name) in names.enumerated() where positions[name.lowercased()] == nil {
                positions[name.lowercased()] = index
            }
            self.positions = positions
        }
    }

    let columns: Columns
    public let values: [SQLValue]

    init(columns: Columns, values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    /// The raw value of `column`; a column the statement does not return is a programming error reported
    /// as a decoding failure, not a crash.
    public func value(_ column: String) throws -> SQLValue {
        guard let index = columns.positions[column.lowercased()] else {
            throw SQLRowDecodingError(column: column, expected: "a column of the result", found: "no such column")
        }
        return values[index]
    }

    public subscript<T: SQLDecodable>(_ column: String) -> T {
        get throws { try T.decode(try value(column), column: column) }
    }

    public subscript<T: SQLDecodable>(_ index: Int) -> T {
        get throws { try T.decode(values[index], column: columns.names[index]) }
    }
}

/// A stored value that is not of the type a column is read as.
public struct SQLRowDecodingError: Error, CustomStringConvertible {
    public var column: String
    public var expected: String
    public var found: String

    public var description: String { "column \(column) holds \(found), not \(expected)" }
}

/// A Swift type a column can be read as.
public protocol SQLDecodable {
    static func decode(_ value: SQLValue, column: String) throws -> Self
}

extension SQLValue {
    /// How the value reads in an error message: its kind, never its content (it may be a secret).
    var kind: String {
        switch self {
        case .null: "NULL"
        case .integer: "an integer"
        case .real: "a real number"
        case .text: "text"
        case .boolean: "a boolean"
        }
    }
}

extension Int64: SQLDecodable {
    public static func decode(_ value: SQLValue, column: String) throws -> Int64 {
        switch value {
        case .integer(let number): return number
        case .boolean(let flag): return flag ? 1 : 0
        // A REAL that holds a whole number (SQLite's affinity can store one) reads exactly.
        case .real(let number) where number.rounded() == number && abs(number) < 9.2e18: return Int64(number)
        default: throw SQLRowDecodingError(column: column, expected: "an integer", found: value.kind)
        }
    }
}

extension Int: SQLDecodable {
    public static func decode(_ value: SQLValue, column: String) throws -> Int {
        Int(try Int64.decode(value, column: column))
    }
}

extension Int32: SQLDecodable {
    public static func decode(_ value: SQLValue, column: String) throws -> Int32 {
        let number = try Int64.decode(value, column: column)
        guard let narrow = Int32(exactly: number) else {
            throw SQLRowDecodingError(column: column, expected: "a 32-bit integer", found: "a larger integer")
        }
        return narrow
    }
}

extension Double: SQLDecodable {
    public static func decode(_ value: SQLValue, column: String) throws -> Double {
        switch value {
        case .real(let number): return number
        case .integer(let number): return Double(number)
        default: throw SQLRowDecodingError(column: column, expected: "a number", found: value.kind)
        }
    }
}

extension String: SQLDecodable {
    public static func decode(_ value: SQLValue, column: String) throws -> String {
        guard case .text(let text) = value else {
            throw SQLRowDecodingError(column: column, expected: "text", found: value.kind)
        }
        return text
    }
}

extension Bool: SQLDecodable {
    public static func decode(_ value: SQLValue, column: String) throws -> Bool {
        switch value {
        case .boolean(let flag): return flag
        case .integer(let number): return number != 0
        default: throw SQLRowDecodingError(column: column, expected: "a boolean", found: value.kind)
        }
    }
}

extension Date: SQLDecodable {
    /// Times are stored as whole unix seconds.
    public static func decode(_ value: SQLValue, column: String) throws -> Date {
        StoredTime.date(try Int64.decode(value, column: column))
    }
}

extension Optional: SQLDecodable where Wrapped: SQLDecodable {
    public static func decode(_ value: SQLValue, column: String) throws -> Wrapped? {
        if case .null = value { return nil }
        return try Wrapped.decode(value, column: column)
    }
}
