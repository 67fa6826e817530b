import CXLSXWriter
import Foundation

/// An XLSX workbook being written by libxlsxwriter: sheets in the order they are added, typed cells,
/// one style per `CellFormat`, native charts and document properties.
///
/// libxlsxwriter's calls block (they write temporary files and deflate the zip), so a `Workbook` exists
/// only inside `Workbook.write(to:properties:options:build:)`, which runs on a dedicated thread.
/// Cell text is always written with `worksheet_write_string`, never as a formula, so a customer named
/// `=HYPERLINK(...)` stays inert text.
public final class Workbook {
    /// The name of the thread workbooks are written on (visible in debuggers and tests).
    public static let threadName = "tally-xlsx"

    let handle: UnsafeMutablePointer<lxw_workbook>
    let path: String
    let options: WorkbookOptions
    private var sheets: [WorksheetWriter] = []
    private var formats: [CellFormat: UnsafeMutablePointer<lxw_format>] = [:]
    /// C strings handed to libxlsxwriter, kept alive until the workbook is closed.
    private var retainedStrings: [UnsafeMutablePointer<CChar>] = []

    /// Writes a workbook to `url`: `build` adds sheets and charts on a dedicated thread, then the file is
    /// closed (assembled and zipped). Errors are `OutputError` (exit 73) naming the file.
    public static func write(
        to url: URL, properties: DocumentProperties, options: WorkbookOptions = WorkbookOptions(),
        build: @escaping @Sendable (Workbook) throws -> Void
    ) async throws {
        try await DedicatedThread.run(named: threadName) {
            let workbook = try Workbook(path: url.path, properties: properties, options: options)
            do {
                try build(workbook)
            } catch {
                workbook.discard()
                throw error
            }
            try workbook.close()
        }
    }

    /// Writes `tables` as sheets in order (the first is usually the summary), then places `charts` on
    /// the first sheet.
    public static func write(
        _ tables: [ReportTable], charts: [ChartSpec] = [], to url: URL, properties: DocumentProperties,
        options: WorkbookOptions = WorkbookOptions()
    ) async throws {
        try await write(to: url, properties: properties, options: options) { workbook in
            let sheets = try tables.map { try workbook.addSheet($0) }
            if let first = sheets.first {
                for chart in charts { try workbook.insertChart(chart, on: first) }
            }
        }
    }

    private init(path: String, properties: DocumentProperties, options: WorkbookOptions) throws {
        self.path = path
        self.options = options
        var libraryOptions = lxw_workbook_options()
        libraryOptions.constant_memory = options.constantMemory ? 1 : 0
        libraryOptions.use_zip64 = options.useZip64 ? 1 : 0
        let temporaryDirectory = options.temporaryDirectory.map { strdup($0.path)! }
        libraryOptions.tmpdir = temporaryDirectory
        guard let handle = workbook_new_opt(path, &libraryOptions) else {
            free(temporaryDirectory)
            throw OutputError.reportsDirectory(path: path, reason: "libxlsxwriter could not start a workbook")
        }
        self.handle = handle
        if let temporaryDirectory { retainedStrings.append(temporaryDirectory) }
        var documentProperties = lxw_doc_properties()
        documentProperties.title = retained(properties.title)
        documentProperties.subject = properties.subject.map(retained)
        documentProperties.author = retained(properties.author)
        documentProperties.company = retained(properties.company)
        do {
            try check(workbook_set_properties(handle, &documentProperties), doing: "setting document properties")
        } catch {
            discard()
            throw error
        }
    }

    /// Adds an empty sheet with a bold header row; rows are then appended with `WorksheetWriter.append`.
    /// A data sheet (`tableLayout`) gets a frozen header row and an autofilter over its rows.
    public func addWorksheet(
        named name: String, columns: [ReportColumn], tableLayout: Bool = true
    ) throws -> WorksheetWriter {
        try check(workbook_validate_sheet_name(handle, name), doing: "naming sheet \"\(name)\"")
        guard let sheet = workbook_add_worksheet(handle, name) else {
            throw OutputError.invalidWorkbook(path: path, reason: "libxlsxwriter could not add sheet \"\(name)\"")
        }
        let writer = try WorksheetWriter(
            workbook: self, handle: sheet, name: name, columns: columns, tableLayout: tableLayout)
        sheets.append(writer)
        return writer
    }

    /// Adds a sheet holding `table` (header and every row) and finishes it.
    @discardableResult
    public func addSheet(_ table: ReportTable, tableLayout: Bool = true) throws -> WorksheetWriter {
        let sheet = try addWorksheet(named: table.name, columns: table.columns, tableLayout: tableLayout)
        for row in table.rows { try sheet.append(row) }
        try sheet.finish()
        return sheet
    }

    /// The style for `format`, created on first use.
    func style(_ format: CellFormat) -> UnsafeMutablePointer<lxw_format>? {
        if let existing = formats[format] { return existing }
        let created: UnsafeMutablePointer<lxw_format>?
        if format == .url {
            created = workbook_get_default_url_format(handle)
        } else {
            created = workbook_add_format(handle)
            if format == .header { format_set_bold(created) }
            if let code = format.numberFormat { format_set_num_format(created, code) }
        }
        formats[format] = created
        return created
    }

    /// Throws an `OutputError` naming the workbook when libxlsxwriter reports an error.
    func check(_ error: lxw_error, doing action: @autoclosure () -> String) throws {
        guard error != LXW_NO_ERROR else { return }
        let reason = "\(action()): \(String(cString: lxw_strerror(error)))"
        throw Self.fileSystemErrors.contains(error)
            ? OutputError.reportsDirectory(path: path, reason: reason)
            : OutputError.invalidWorkbook(path: path, reason: reason)
    }

    /// libxlsxwriter errors that come from the file system (or memory) rather than from the content.
    private static let fileSystemErrors: [lxw_error] = [
        LXW_ERROR_MEMORY_MALLOC_FAILED, LXW_ERROR_CREATING_XLSX_FILE, LXW_ERROR_CREATING_TMPFILE,
        LXW_ERROR_READING_TMPFILE, LXW_ERROR_ZIP_FILE_OPERATION, LXW_ERROR_ZIP_PARAMETER_ERROR,
        LXW_ERROR_ZIP_BAD_ZIP_FILE, LXW_ERROR_ZIP_INTERNAL_ERROR, LXW_ERROR_ZIP_FILE_ADD, LXW_ERROR_ZIP_CLOSE,
    ]

    private func close() throws {
        defer { releaseStrings() }
        do {
            for sheet in sheets where !sheet.isFinished { try sheet.finish() }
        } catch {
            discard()
            throw error
        }
        do {
            try check(workbook_close(handle), doing: "closing the workbook")
        } catch {
            unlink(path)  // a half-written zip is worse than none
            throw error
        }
    }

    /// Frees the workbook without writing it (the build failed); libxlsxwriter creates the file only
    /// when closing, so nothing is on disk yet, and an older file at `path` is left alone.
    private func discard() {
        lxw_workbook_free(handle)
        releaseStrings()
    }

    private func releaseStrings() {
        retainedStrings.forEach { free($0) }
        retainedStrings.removeAll()
    }

    func retained(_ string: String) -> UnsafeMutablePointer<CChar> {
        let copy = strdup(string)!
        retainedStrings.append(copy)
        return copy
    }

    /// libxlsxwriter reads a chart name starting with `=` as a cell reference; a leading `'` keeps it text.
    func literal(_ name: String) -> String {
        name.hasPrefix("=") ? "'" + name : name
    }

    func row(_ position: CellPosition) -> lxw_row_t { lxw_row_t(clamping: position.row) }
    func column(_ position: CellPosition) -> lxw_col_t { lxw_col_t(clamping: position.column) }
}
