import CXLSXWriter
import Foundation

/// Appends typed rows to one sheet of a `Workbook`, top to bottom, and sizes its columns from what it wrote.
///
/// Rows stream straight to libxlsxwriter (in constant-memory mode each finished row goes to disk), so a
/// sheet of a million rows costs no more memory than one of ten.
public final class WorksheetWriter {
    /// The sheet name.
    public let name: String
    /// The columns, as in the header row.
    public let columns: [ReportColumn]
    /// Data rows written so far (the header row not counted).
    public private(set) var rowCount = 0
    /// Whether `finish()` has applied the filter and the column widths.
    public private(set) var isFinished = false

    let handle: UnsafeMutablePointer<lxw_worksheet>
    private unowned let workbook: Workbook
    private let tableLayout: Bool
    /// The widest content seen per column, in characters.
    private var contentWidths: [Int]
    /// The last money style used, so a sheet in one currency does not look its style up per cell.
    private var lastMoney: (currency: String, format: CurrencyFormat, style: UnsafeMutablePointer<lxw_format>?)?
    private let integerStyle: UnsafeMutablePointer<lxw_format>?
    private let dateStyle: UnsafeMutablePointer<lxw_format>?
    private let dateTimeStyle: UnsafeMutablePointer<lxw_format>?

    /// Excel's limit: 1,048,576 rows a sheet, the header included.
    public static let maximumDataRows = 1_048_575
    /// Excel's limit on the characters in one cell.
    static let maximumCellCharacters = 32_767

    init(
        workbook: Workbook, handle: UnsafeMutablePointer<lxw_worksheet>, name: String, columns: [ReportColumn],
        tableLayout: Bool
    ) throws {
        self.workbook = workbook
        self.handle = handle
        self.name = name
        self.columns = columns
        self.tableLayout = tableLayout
        contentWidths = columns.map { $0.header.count + (tableLayout ? 3 : 0) }
        integerStyle = workbook.style(.integer)
        dateStyle = workbook.style(.date)
        dateTimeStyle = workbook.style(.dateTime)
        let header = workbook.style(.header)
        for (index, column) in columns.enumerated() {
            try workbook.check(
                worksheet_write_string(handle, 0, lxw_col_t(index), column.header, header),
                doing: "writing the header of sheet \"\(name)\"")
        }
        if tableLayout { worksheet_freeze_panes(handle, 1, 0) }
        try setUpPrinting()
    }

    /// Every sheet prints readably: landscape on the workbook's paper, all columns on one page width
    /// (as many pages down as needed), the header row on every page, and "Page n of m" in the footer.
    private func setUpPrinting() throws {
        worksheet_set_landscape(handle)
        worksheet_set_paper(handle, workbook.options.paper.excelCode)
        worksheet_fit_to_pages(handle, 1, 0)
        try workbook.check(worksheet_repeat_rows(handle, 0, 0), doing: "repeating the header row of sheet \"\(name)\"")
        // `&A` is the sheet's name, so a printed page says which sheet it belongs to.
        try workbook.check(worksheet_set_footer(handle, "&L&A&RPage &P of &N"),
                           doing: "setting the footer of sheet \"\(name)\"")
    }

    /// Starts a printed page at each of `rows` (0-based, above the row), so what sits below a break (a chart)
    /// is not cut by the automatic breaks. Fitting the sheet to one page wide leaves the height automatic, so
    /// these row breaks still apply (Excel caps them at 1,023 a sheet).
    public func breakPages(beforeRows rows: [Int]) throws {
        var breaks = Array(Set(rows.filter { $0 > 0 })).sorted().prefix(1_023).map { lxw_row_t($0) }
        guard !breaks.isEmpty else { return }
        breaks.append(0) // libxlsxwriter reads up to a 0.
        try workbook.check(breaks.withUnsafeMutableBufferPointer { worksheet_set_h_pagebreaks(handle, $0.baseAddress) },
                           doing: "setting the page breaks of sheet \"\(name)\"")
    }

    /// Writes one data row below the previous one; cells beyond the declared columns are written too.
    public func append(_ row: [ReportCell]) throws {
        guard !isFinished else {
            throw OutputError.invalidWorkbook(path: workbook.path, reason: "sheet \"\(name)\" was already finished")
        }
        guard rowCount < Self.maximumDataRows else {
            throw OutputError.invalidWorkbook(
                path: workbook.path, reason: "sheet \"\(name)\" would pass Excel's limit of 1,048,576 rows")
        }
        rowCount += 1
        let rowNumber = lxw_row_t(rowCount)
        for (index, cell) in row.enumerated() {
            try write(cell, row: rowNumber, column: index)
        }
    }

    /// The data cells of `column` (below the header), for a chart series or categories.
    public func dataRange(column: Int) -> SheetRange {
        SheetRange(
            sheet: name, first: CellPosition(row: 1, column: column),
            last: CellPosition(row: max(1, rowCount), column: column))
    }

    /// Applies the autofilter over the written rows and the column widths; called by the workbook at
    /// the latest when it closes.
    public func finish() throws {
        guard !isFinished else { return }
        isFinished = true
        let lastColumn = lxw_col_t(max(0, contentWidths.count - 1))
        if tableLayout, !columns.isEmpty {
            try workbook.check(
                worksheet_autofilter(handle, 0, 0, lxw_row_t(rowCount), lastColumn),
                doing: "adding the filter to sheet \"\(name)\"")
        }
        for (index, width) in contentWidths.enumerated() {
            let fixed = index < columns.count ? columns[index].width : nil
            let chosen = fixed ?? min(Double(width + 2), workbook.options.maximumColumnWidth)
            try workbook.check(
                worksheet_set_column(handle, lxw_col_t(index), lxw_col_t(index), chosen, nil),
                doing: "sizing the columns of sheet \"\(name)\"")
        }
    }

    private func write(_ cell: ReportCell, row: lxw_row_t, column index: Int) throws {
        let column = lxw_col_t(clamping: index)
        let error: lxw_error
        let width: Int
        switch cell {
        case .text(let text):
            error = writeText(text, row: row, column: column)
            width = text.utf8.count
        case .integer(let value):
            error = worksheet_write_number(handle, row, column, Double(value), integerStyle)
            width = Self.digitCount(value) * 4 / 3 + 1
        case .decimal(let value):
            error = worksheet_write_number(handle, row, column, NSDecimalNumber(decimal: value).doubleValue, nil)
            width = value.description.utf8.count
        case .percent(let fraction):
            error = worksheet_write_number(
                handle, row, column, NSDecimalNumber(decimal: fraction).doubleValue, workbook.style(.percent))
            width = 9
        case .money(let minorUnits, let currency):
            let (format, style) = moneyStyle(currency)
            error = worksheet_write_number(handle, row, column, format.majorUnits(minorUnits: minorUnits), style)
            width = Self.digitCount(minorUnits) * 4 / 3 + 6
        case .date(let date):
            error = worksheet_write_number(handle, row, column, UTCCalendarText.excelSerialDay(date), dateStyle)
            width = 10
        case .dateTime(let date):
            error = worksheet_write_number(handle, row, column, UTCCalendarText.excelSerial(date), dateTimeStyle)
            width = 19
        case .boolean(let value):
            error = worksheet_write_boolean(handle, row, column, value ? 1 : 0, nil)
            width = 5
        case .url(let url, let label):
            error = writeURL(url, label: label, row: row, column: column)
            width = (label ?? url).utf8.count
        case .blank:
            error = LXW_NO_ERROR
            width = 0
        }
        try workbook.check(error, doing: "writing row \(row + 1) of sheet \"\(name)\"")
        if index < contentWidths.count {
            if width > contentWidths[index] { contentWidths[index] = width }
        } else {
            contentWidths.append(contentsOf: repeatElement(0, count: index - contentWidths.count))
            contentWidths.append(width)
        }
    }

    /// Text is always a string cell; text past Excel's cell limit is cut rather than failing the report.
    private func writeText(_ text: String, row: lxw_row_t, column: lxw_col_t) -> lxw_error {
        let error = worksheet_write_string(handle, row, column, text, nil)
        guard error == LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED else { return error }
        let cut = String(text.unicodeScalars.prefix(Self.maximumCellCharacters - 1)) + "…"
        return worksheet_write_string(handle, row, column, cut, nil)
    }

    /// A link too long for Excel, or past its per-sheet link limit, is written as plain text instead.
    private func writeURL(_ url: String, label: String?, row: lxw_row_t, column: lxw_col_t) -> lxw_error {
        let error = worksheet_write_url_opt(handle, row, column, url, workbook.style(.url), label, nil)
        guard error == LXW_ERROR_WORKSHEET_MAX_URL_LENGTH_EXCEEDED
            || error == LXW_ERROR_WORKSHEET_MAX_NUMBER_URLS_EXCEEDED
            || error == LXW_ERROR_PARAMETER_VALIDATION
        else { return error }
        return writeText(label ?? url, row: row, column: column)
    }

    private func moneyStyle(_ currency: String) -> (CurrencyFormat, UnsafeMutablePointer<lxw_format>?) {
        if let lastMoney, lastMoney.currency == currency { return (lastMoney.format, lastMoney.style) }
        let format = CurrencyFormat(currency: currency)
        let style = workbook.style(.money(currency: format.code))
        lastMoney = (currency, format, style)
        return (format, style)
    }

    private static func digitCount(_ value: Int64) -> Int {
        var count = value < 0 ? 2 : 1
        var rest = value.magnitude
        while rest >= 10 {
            rest /= 10
            count += 1
        }
        return count
    }
}
