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

    /// The workbook's defined names (`xl/workbook.xml`), e.g. each sheet's `_xlnm.Print_Titles`.
    public var definedNames: [XLSXDefinedName] = []

    /// The print titles (rows repeated on every printed page) of sheet `name`, e.g. `'Invoices'!$1:$1`.
    public func printTitles(of name: String) -> String? {
        guard let index = sheets.firstIndex(where: { $0.name == name }) else { return nil }
        return definedNames.first { $0.name == "_xlnm.Print_Titles" && $0.localSheetID == index }?.value
    }

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
    /// The attributes of `<pageSetup>` (`orientation`, `fitToWidth`, `fitToHeight`, `paperSize`), empty when absent.
    public var pageSetup: [String: String] = [:]
    /// Whether `<sheetPr><pageSetUpPr fitToPage="1"/>` turns the fit-to-pages setting on.
    public var fitsToPage = false
    /// The odd-page footer (`&L&A&RPage &P of &N`), if any.
    public var footer: String?
    /// The manual page breaks (`<rowBreaks><brk id>`): 0-based rows a printed page starts at.
    public var rowBreaks: [Int] = []

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

/// A name defined in the workbook: print titles, print areas.
public struct XLSXDefinedName: Sendable, Equatable {
    public var name: String
    /// The sheet index (0-based) it is local to, if any.
    public var localSheetID: Int?
    public var value: String
}

/// One axis of a chart read back.
public struct XLSXChartAxis: Sendable, Equatable {
    /// `catAx`, `dateAx` or `valAx`.
    public var kind: String
    /// `<c:numFmt formatCode>` of the axis labels, if any.
    public var numberFormat: String?
    /// Whether the labels follow the source cells' format (`sourceLinked="1"`).
    public var sourceLinked: Bool
    /// The axis title.
    public var title: String?
}

/// One chart read back.
public struct XLSXChartContents: Sendable, Equatable {
    /// The chart type: `line`, `column`, `bar`, `pie`, ...
    public var kind: String
    public var seriesCount: Int
    public var title: String?
    /// The category and value range formulas of each series (`Daily!$A$2:$A$8`).
    public var seriesRanges: [String]
    /// The axes in document order.
    public var axes: [XLSXChartAxis] = []
    /// `clustered`, `stacked`, ... for bar and column charts.
    public var grouping: String?
    /// The 0-based rows the chart's drawing anchor spans (`<xdr:from><xdr:row>` to `<xdr:to><xdr:row>`), if anchored to cells.
    public var rows: ClosedRange<Int>?

    /// The category axis (`catAx` or `dateAx`).
    public var categoryAxis: XLSXChartAxis? { axes.first { $0.kind == "catAx" || $0.kind == "dateAx" } }
    /// The value axis (the first `valAx`).
    public var valueAxis: XLSXChartAxis? { axes.first { $0.kind == "valAx" } }
}
