/// What a test can see of a workbook read back with `XLSXReader`.
public struct XLSXWorkbookContents: Sendable {
    /// Sheets in workbook order.
    public var sheets: [XLSXSheetContents]
    /// The document title (docProps/core.xml).
    public var title: String?
    /// The company property (docProps/app.xml).
    public var company: String?

    /// Sheet names in order, as finance sees the tabs.
    public var sheetNames: [String] { sheets.map(\.name) }

    /// The sheet called `name`.
    public func sheet(_ name: String) -> XLSXSheetContents? { sheets.first { $0.name == name } }

    /// Every chart of every sheet.
    public var charts: [XLSXChartContents] { sheets.flatMap(\.charts) }

    /// Whether any cell of any sheet holds a formula (`<f>`).
    public var containsFormula: Bool { sheets.contains { $0.formulaCount > 0 } }
}

/// One worksheet read back.
public struct XLSXSheetContents: Sendable {
    public var name: String
    /// Cells by reference (`"A1"`).
    public var cells: [String: XLSXCellContents]
    /// The top-left cell of the scrolling pane when panes are frozen (`"A2"` for a frozen header row).
    public var frozenTopLeftCell: String?
    /// The autofilter range (`"A1:F1001"`), if any.
    public var autofilterRange: String?
    /// Column widths by zero-based column index.
    public var columnWidths: [Int: Double]
    /// Number of `<f>` formula elements in the sheet.
    public var formulaCount: Int
    /// Charts drawn on this sheet.
    public var charts: [XLSXChartContents]
    /// Hyperlink targets by cell reference.
    public var hyperlinks: [String: String]

    /// The cell at `reference` (`"B2"`).
    public subscript(_ reference: String) -> XLSXCellContents? { cells[reference] }

    /// The highest row number (1-based) holding a cell.
    public var lastRow: Int { cells.values.map(\.row).max() ?? 0 }
}

/// One cell read back.
public struct XLSXCellContents: Sendable, Equatable {
    /// What the cell holds.
    public enum Value: Sendable, Equatable {
        case string(String)
        case number(Double)
        case boolean(Bool)
        case empty
    }

    public var reference: String
    /// 1-based row number.
    public var row: Int
    public var value: Value
    /// The number format code of the cell's style (`"yyyy-mm-dd"`, `"\"$\"#,##0.00"`), `nil` for General.
    public var numberFormat: String?
    /// Whether the cell holds a formula.
    public var hasFormula: Bool

    /// The text of a string cell.
    public var string: String? { if case .string(let text) = value { text } else { nil } }
    /// The value of a numeric cell.
    public var number: Double? { if case .number(let number) = value { number } else { nil } }

    /// A number shown with a date format: a real Excel date.
    public var isDate: Bool {
        guard number != nil, let numberFormat else { return false }
        var quoted = false
        for character in numberFormat {
            if character == "\"" { quoted.toggle() }
            if !quoted, "ydYD".contains(character) { return true }
        }
        return false
    }
}

/// One chart read back.
public struct XLSXChartContents: Sendable, Equatable {
    /// The chart type: `line`, `column`, `bar`, `pie`, ...
    public var kind: String
    public var seriesCount: Int
    public var title: String?
    /// The category and value range formulas of each series (`Daily!$A$2:$A$8`).
    public var seriesRanges: [String]
}
