/// A report built once and written twice: as a CSV file and as a worksheet of a workbook.
public struct ReportTable: Sendable, Hashable {
    /// The sheet name in a workbook (at most 31 characters, none of `[]:*?/\`).
    public var name: String
    /// The columns, left to right.
    public var columns: [ReportColumn]
    /// The data rows; a row shorter than `columns` is padded with blank cells.
    public var rows: [[ReportCell]]

    public init(name: String, columns: [ReportColumn], rows: [[ReportCell]] = []) {
        self.name = name
        self.columns = columns
        self.rows = rows
    }

    /// Adds one data row at the bottom.
    public mutating func append(_ row: [ReportCell]) { rows.append(row) }
}

/// One column of a report: its header and, optionally, a fixed width.
public struct ReportColumn: Sendable, Hashable, ExpressibleByStringLiteral {
    /// The header text, written in the first row.
    public var header: String
    /// A fixed width in Excel character units; `nil` sizes the column from its content.
    public var width: Double?

    public init(_ header: String, width: Double? = nil) {
        self.header = header
        self.width = width
    }

    public init(stringLiteral value: String) { self.init(value) }
}
