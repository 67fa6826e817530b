/// A native Excel chart (line, column or bar) whose series reference ranges of a sheet, placed on a sheet
/// (usually the summary sheet) with `Workbook.insertChart(_:on:)`.
public struct ChartSpec: Sendable, Hashable {
    /// The chart types Tally draws.
    public enum Kind: Sendable, Hashable {
        /// A line per series: trends over days.
        case line
        /// Vertical bars: amounts per category.
        case column
        /// Horizontal clustered bars: side-by-side comparisons per item (an invoice line), whose long
        /// labels read better down the side than slanted along the bottom.
        case bar
    }

    /// The number format of the category labels of a day axis: `2 Nov`, not the serial `46328`.
    public static let dayAxisFormat = "d mmm"

    public var kind: Kind
    /// The chart title.
    public var title: String
    /// The horizontal axis title, e.g. `Day`.
    public var categoryAxisTitle: String?
    /// The vertical axis title, e.g. `Tokens`.
    public var valueAxisTitle: String?
    /// The category labels (the x axis), e.g. a date column.
    public var categories: SheetRange
    /// The Excel number format of the category labels (`dayAxisFormat` for days, whose cells are date
    /// serials); `nil` keeps the cells' own.
    public var categoryFormat: String?
    /// The Excel number format of the value axis (a currency's format for money); `nil` for General.
    public var valueFormat: String?
    /// One or more series, each a range of values of the same length as `categories`.
    public var series: [ChartSeries]
    /// The top-left cell the chart is anchored to.
    public var anchor: CellPosition
    /// Size relative to Excel's default 480 x 288 pixels.
    public var scale: Double

    public init(
        kind: Kind, title: String, categoryAxisTitle: String? = nil, valueAxisTitle: String? = nil,
        categories: SheetRange, categoryFormat: String? = nil, valueFormat: String? = nil, series: [ChartSeries],
        anchor: CellPosition, scale: Double = 1.5
    ) {
        self.kind = kind
        self.title = title
        self.categoryAxisTitle = categoryAxisTitle
        self.valueAxisTitle = valueAxisTitle
        self.categories = categories
        self.categoryFormat = categoryFormat
        self.valueFormat = valueFormat
        self.series = series
        self.anchor = anchor
        self.scale = scale
    }
}

/// One series of a chart: its legend name and the cells holding its values.
public struct ChartSeries: Sendable, Hashable {
    public var name: String
    public var values: SheetRange

    public init(name: String, values: SheetRange) {
        self.name = name
        self.values = values
    }
}

/// A zero-based cell position (row 0 is the header row of a report sheet).
public struct CellPosition: Sendable, Hashable {
    public var row: Int
    public var column: Int

    public init(row: Int, column: Int) {
        self.row = row
        self.column = column
    }
}

/// A rectangular block of cells on a named sheet, zero-based and inclusive.
public struct SheetRange: Sendable, Hashable {
    public var sheet: String
    public var first: CellPosition
    public var last: CellPosition

    public init(sheet: String, first: CellPosition, last: CellPosition) {
        self.sheet = sheet
        self.first = first
        self.last = last
    }

    /// The data cells (below the header) of one column of a report table written to sheet `table.name`.
    public static func dataColumn(_ column: Int, of table: ReportTable) -> SheetRange {
        SheetRange(
            sheet: table.name, first: CellPosition(row: 1, column: column),
            last: CellPosition(row: max(1, table.rows.count), column: column))
    }
}
