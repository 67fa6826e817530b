import Foundation
import Synchronization
import TallyTestKit
import Testing
@testable import TallyCore

@Suite("XLSX workbook")
struct WorkbookTests {
    static let hostileName = "=HYPERLINK(\"http://evil\",\"x\")"

    static let summary = ReportTable(
        name: "Summary", columns: ["Metric", "Value"],
        rows: [[.text("Tokens"), .integer(3_500)], [.text("Revenue"), .money(minorUnits: 4_200, currency: "usd")]])

    static let daily = ReportTable(
        name: "Daily usage",
        columns: ["Day", "Team", "Tokens", "Cost", "Cost (JPY)"],
        rows: [
            [.date(utc("2026-11-22T00:00:00Z")), .text("Acme"), .integer(1_000), .money(minorUnits: 1_234, currency: "usd"),
             .money(minorUnits: 180, currency: "jpy")],
            [.date(utc("2026-11-23T00:00:00Z")), .text(hostileName), .integer(-12), .money(minorUnits: -5, currency: "usd"),
             .money(minorUnits: 0, currency: "jpy")],
            [.date(utc("2026-11-24T00:00:00Z")), .text("Zoë 東京"), .integer(2_500), .money(minorUnits: 2_971, currency: "usd"),
             .money(minorUnits: 450, currency: "jpy")],
        ])

    static let events = ReportTable(
        name: "Events", columns: ["At", "Invoice", "Paid", "Amount (KWD)", "Ratio"],
        rows: [[.dateTime(utc("2026-11-24T13:05:09Z")), .url("https://invoice.stripe.com/i/acct_1", label: "in_1"),
                .boolean(true), .money(minorUnits: 1_234, currency: "KWD"), .decimal(Decimal(string: "0.125")!)]])

    static var charts: [ChartSpec] {
        [
            ChartSpec(
                kind: .line, title: "Tokens per day", categoryAxisTitle: "Day", valueAxisTitle: "Tokens",
                categories: .dataColumn(0, of: daily), series: [ChartSeries(name: "Tokens", values: .dataColumn(2, of: daily))],
                anchor: CellPosition(row: 4, column: 0)),
            ChartSpec(
                kind: .column, title: "Cost per day", categoryAxisTitle: "Day", valueAxisTitle: "Cost",
                categories: .dataColumn(0, of: daily),
                series: [ChartSeries(name: "USD", values: .dataColumn(3, of: daily)),
                         ChartSeries(name: "JPY", values: .dataColumn(4, of: daily))],
                anchor: CellPosition(row: 4, column: 8)),
        ]
    }

    /// Writes the sample workbook and reads it back.
    static func writeAndRead(constantMemory: Bool = true) async throws -> XLSXWorkbookContents {
        let url = try makeScratchDirectory().appendingPathComponent("usage.xlsx")
        try await Workbook.write(to: url, properties: DocumentProperties(title: "Usage, November 2026"),
                                 options: WorkbookOptions(constantMemory: constantMemory)) { workbook in
            let summary = try workbook.addSheet(summary, tableLayout: false)
            try workbook.addSheet(daily)
            try workbook.addSheet(events)
            for chart in charts { try workbook.insertChart(chart, on: summary) }
        }
        return try XLSXReader.read(url)
    }

    @Test("writes sheets in order with document properties", arguments: [true, false])
    func sheetsInOrder(constantMemory: Bool) async throws {
        let workbook = try await Self.writeAndRead(constantMemory: constantMemory)
        #expect(workbook.sheetNames == ["Summary", "Daily usage", "Events"])
        #expect(workbook.title == "Usage, November 2026")
        #expect(workbook.company == "Tally")
        #expect(workbook.sheet("Summary")?["A2"]?.string == "Tokens")
        #expect(workbook.sheet("Summary")?["B2"]?.number == 3_500)
    }

    @Test("writes real Excel dates: numbers with a date format")
    func realDates() async throws {
        let sheet = try #require(try await Self.writeAndRead().sheet("Daily usage"))
        let day = try #require(sheet["A2"])
        #expect(day.isDate)
        #expect(day.number == 46_348)  // 2026-11-22 in Excel's 1900 date system
        #expect(day.numberFormat == "yyyy-mm-dd")
        let events = try #require(try await Self.writeAndRead().sheet("Events"))
        let instant = try #require(events["A2"])
        #expect(instant.isDate)
        #expect(instant.numberFormat == "yyyy-mm-dd hh:mm:ss")
        #expect(abs(instant.number! - (46_350 + (13 * 3600 + 5 * 60 + 9) / 86_400.0)) < 1e-9)
    }

    @Test("writes money as major units with one format per currency")
    func currencyFormats() async throws {
        let workbook = try await Self.writeAndRead()
        let daily = try #require(workbook.sheet("Daily usage"))
        #expect(daily["D2"]?.number == 12.34)
        #expect(daily["D2"]?.numberFormat == "\"$\"#,##0.00")
        #expect(daily["D3"]?.number == -0.05)
        #expect(daily["E2"]?.number == 180)
        #expect(daily["E2"]?.numberFormat == "\"¥\"#,##0")
        #expect(daily["C3"]?.number == -12)
        let events = try #require(workbook.sheet("Events"))
        #expect(events["D2"]?.number == 1.234)
        #expect(events["D2"]?.numberFormat == "#,##0.000 \"KWD\"")
        #expect(events["C2"]?.value == .boolean(true))
        #expect(events["E2"]?.number == 0.125)
        #expect(events["B2"]?.string == "in_1")
        #expect(events.hyperlinks["B2"] == "https://invoice.stripe.com/i/acct_1")
    }

    @Test("freezes the header row and filters the data range of data sheets")
    func frozenHeaderAndFilter() async throws {
        let workbook = try await Self.writeAndRead()
        let daily = try #require(workbook.sheet("Daily usage"))
        #expect(daily.frozenTopLeftCell == "A2")
        #expect(daily.autofilterRange == "A1:E4")
        #expect(workbook.sheet("Summary")?.frozenTopLeftCell == nil)
        #expect(workbook.sheet("Summary")?.autofilterRange == nil)
    }

    @Test("sizes columns from their content, capped")
    func columnWidths() async throws {
        let url = try makeScratchDirectory().appendingPathComponent("widths.xlsx")
        let table = ReportTable(
            name: "W", columns: ["A", ReportColumn("Fixed", width: 12), "C"],
            rows: [[.text("short"), .text("x"), .text(String(repeating: "long ", count: 100))]])
        try await Workbook.write([table], to: url, properties: DocumentProperties(title: "W"))
        let sheet = try #require(try XLSXReader.read(url).sheet("W"))
        let first = try #require(sheet.columnWidths[0])
        #expect(first >= 5 && first < 12)
        #expect(sheet.columnWidths[1].map { abs($0 - 12) < 1 } == true)
        #expect(sheet.columnWidths[2].map { abs($0 - 60) < 1 } == true)
    }

    @Test("draws a native line chart and a column chart on the summary sheet")
    func nativeCharts() async throws {
        let workbook = try await Self.writeAndRead()
        let charts = try #require(workbook.sheet("Summary")?.charts)
        #expect(charts.map(\.kind) == ["line", "column"])
        #expect(charts.map(\.seriesCount) == [1, 2])
        #expect(charts.first?.title == "Tokens per day")
        #expect(charts.first?.seriesRanges.contains("'Daily usage'!$C$2:$C$4") == true)
        #expect(workbook.sheet("Daily usage")?.charts.isEmpty == true)
    }

    @Test("sets every sheet up to print on the chosen paper: letter when asked, A4 by default")
    func paperSize() async throws {
        let url = try makeScratchDirectory().appendingPathComponent("letter.xlsx")
        try await Workbook.write([Self.summary, Self.daily], to: url, properties: DocumentProperties(title: "P"),
                                 options: WorkbookOptions(paper: .letter))
        let letter = try XLSXReader.read(url)
        #expect(letter.sheets.map { $0.pageSetup["paperSize"] } == ["1", "1"])
        #expect(letter.sheets.map { $0.pageSetup["orientation"] } == ["landscape", "landscape"])
        #expect(letter.printTitles(of: "Daily usage") == "'Daily usage'!$1:$1")
        #expect(letter.sheet("Daily usage")?.footer == "&L&A&RPage &P of &N")
        let a4 = try await Self.writeAndRead()
        #expect(a4.sheets.allSatisfy { $0.pageSetup["paperSize"] == "9" })
    }

    @Test("a day axis carries a date format and a value axis the amount's, read back from the chart XML")
    func axisFormats() async throws {
        let url = try makeScratchDirectory().appendingPathComponent("axes.xlsx")
        let chart = ChartSpec(
            kind: .column, title: "Cost per day", categoryAxisTitle: "Day", valueAxisTitle: "Cost (USD)",
            categories: .dataColumn(0, of: Self.daily), categoryFormat: ChartSpec.dayAxisFormat,
            valueFormat: CurrencyFormat(currency: "usd").excelNumberFormat,
            series: [ChartSeries(name: "USD", values: .dataColumn(3, of: Self.daily))], anchor: CellPosition(row: 4, column: 0))
        try await Workbook.write([Self.summary, Self.daily], charts: [chart], to: url, properties: DocumentProperties(title: "A"))
        let read = try #require(try XLSXReader.read(url).charts.first)
        #expect(read.categoryAxis?.numberFormat == "d mmm")
        #expect(read.categoryAxis?.sourceLinked == false)
        #expect(read.valueAxis?.numberFormat == "\"$\"#,##0.00")
        #expect(read.valueAxis?.title == "Cost (USD)")
    }

    @Test("writes no formulas: a hostile customer name is inert text")
    func hostileNameIsText() async throws {
        let workbook = try await Self.writeAndRead()
        #expect(!workbook.containsFormula)
        let cell = try #require(workbook.sheet("Daily usage")?["B3"])
        #expect(cell.string == Self.hostileName)
        #expect(!cell.hasFormula)
    }

    @Test("runs libxlsxwriter on a dedicated thread, not the caller's")
    func writesOffTheCooperativePool() async throws {
        let threadNames = Mutex<[String?]>([])
        let url = try makeScratchDirectory().appendingPathComponent("thread.xlsx")
        try await Workbook.write(to: url, properties: DocumentProperties(title: "T")) { workbook in
            threadNames.withLock { $0.append(DedicatedThread.currentName) }
            try workbook.addSheet(Self.summary)
        }
        #expect(threadNames.withLock { $0 } == [Workbook.threadName])
        // and the caller's own thread is not that thread
        #expect(DedicatedThread.currentName == nil)
    }

    @Test("fails with exit 73 naming the file when a sheet name is invalid, leaving no file")
    func invalidSheetName() async throws {
        let url = try makeScratchDirectory().appendingPathComponent("bad.xlsx")
        let error = await #expect(throws: OutputError.self) {
            try await Workbook.write([ReportTable(name: "Q3/Q4: [draft]", columns: ["a"])], to: url,
                                     properties: DocumentProperties(title: "Bad"))
        }
        #expect(error?.exitStatus == .cannotCreateOutput)
        #expect(error?.kind == .invalidContent)
        #expect(error?.description.contains(url.path) == true)
        #expect(error?.description.contains("Q3/Q4: [draft]") == true)
        // and no setting can fix it: it is a bug to report
        #expect(error?.settingKey == nil)
        #expect(error?.description.hasSuffix("please report this as a bug") == true)
        #expect(!FileManager.default.fileExists(atPath: url.path))
    }

    @Test("leaves an existing file untouched when building the workbook fails")
    func failedBuildKeepsOldFile() async throws {
        struct LayoutBug: Error {}
        let url = try makeScratchDirectory().appendingPathComponent("usage.xlsx")
        try Data("previous report".utf8).write(to: url)
        await #expect(throws: LayoutBug.self) {
            try await Workbook.write(to: url, properties: DocumentProperties(title: "X")) { workbook in
                try workbook.addSheet(Self.daily)
                throw LayoutBug()
            }
        }
        #expect(try Data(contentsOf: url) == Data("previous report".utf8))
    }

    @Test("fails with exit 73 naming the file when it cannot be created")
    func uncreatableFile() async throws {
        let url = URL(fileURLWithPath: "/nonexistent-\(UUID().uuidString)/usage.xlsx")
        let error = await #expect(throws: OutputError.self) {
            try await Workbook.write([Self.summary], to: url, properties: DocumentProperties(title: "X"))
        }
        #expect(error.map { $0.tallyExitStatus } == .cannotCreateOutput)
        #expect(error?.kind == .notWritable)
        #expect(error?.description.contains(url.path) == true)
    }
}
