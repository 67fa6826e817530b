import Foundation
import TallyTestKit
import Testing
@testable import TallyCore

/// The finance and usage workbooks as finance prints them, read back from the .xlsx file itself: date
/// axes, one revenue chart per currency, bars per invoice line, percentages, print setup on every sheet,
/// and October's workbook holding October only.
@Suite("Finance and usage workbooks finance can print")
struct FinanceWorkbookTests {
    /// The hand dataset plus data on both sides of the Oct/Nov edge: discrepancies of Oct 31 and Nov 1
    /// from the same (latest) reconciliation run, and a payment that failed on an invoice of Nov 16.
    static func octoberWithNovemberData(now: Date = HandDataset.afterOctober) -> ReportingData {
        var data = HandDataset.data(now: now)
        data.discrepancies = [
            discrepancy(team: "2", customer: "cus_yama", window: "2026-10-31T00:00:00Z", difference: 50),
            discrepancy(team: "2", customer: "cus_yama", window: "2026-11-01T00:00:00Z", difference: 70),
        ]
        let november: Invoice = HandDataset.decode(HandDataset.invoice(
            "in_yama_nov", number: "YAMA-0002", customer: "cus_yama", currency: "jpy", status: "open",
            created: "2026-11-16T00:00:00Z", total: 3_900, paid: 0, attempts: 1,
            transitions: ["finalized_at": "2026-11-16T00:00:00Z"], nextAttempt: "2026-11-19T00:00:00Z", lines: []))
        data.unpaidInvoices.append(november)
        return data
    }

    static func discrepancy(team: String, customer: String, window: String, difference: Int64) -> DiscrepancyRecord {
        let start = utc(window)
        return DiscrepancyRecord(
            reconciledAt: utc("2026-11-02T03:00:00Z"), customerID: customer, teamID: team, meterID: "mtr_tokens",
            windowStart: start, windowEnd: start.addingTimeInterval(86_400), localTokens: 100 + difference,
            stripeTokens: 100, difference: difference, kind: "under_reported", resolution: nil)
    }

    /// Writes sheets and charts exactly as `tally-report` does (summary first, charts on it) and reads the file back.
    static func writeAndRead(_ sheets: [ReportSheet], charts: [ChartSpec]) async throws -> XLSXWorkbookContents {
        let url = try makeScratchDirectory().appendingPathComponent("finance.xlsx")
        let tables = sheets.map(\.table)
        try await Workbook.write(to: url, properties: DocumentProperties(title: "Finance, 2026-10")) { workbook in
            let first = try workbook.addSheet(tables[0], tableLayout: false)
            for table in tables.dropFirst() { try workbook.addSheet(table) }
            try workbook.placeSummaryCharts(charts, on: first)
        }
        return try XLSXReader.read(url)
    }

    static func finance(_ data: ReportingData = octoberWithNovemberData()) async throws -> XLSXWorkbookContents {
        let report = FinanceReport.build(from: data)
        return try await writeAndRead(report.sheets, charts: report.charts)
    }

    @Test("every sheet prints landscape on A4, one page wide, its header row on every page, page n of m in the footer")
    func printSetup() async throws {
        let data = Self.octoberWithNovemberData()
        let usage = UsageReport.build(from: data)
        for workbook in [try await Self.finance(data), try await Self.writeAndRead(usage.sheets, charts: usage.charts)] {
            for sheet in workbook.sheets {
                #expect(sheet.pageSetup["orientation"] == "landscape", "\(sheet.name)")
                #expect(sheet.pageSetup["paperSize"] == "9", "\(sheet.name)")
                #expect(sheet.pageSetup["fitToWidth"] == nil || sheet.pageSetup["fitToWidth"] == "1", "\(sheet.name)")
                #expect(sheet.pageSetup["fitToHeight"] == "0", "\(sheet.name)")
                #expect(sheet.fitsToPage, "\(sheet.name)")
                #expect(sheet.footer?.contains("&P of &N") == true, "\(sheet.name)")
                let titles = try #require(workbook.printTitles(of: sheet.name), "\(sheet.name) has no print titles")
                #expect(titles.hasSuffix("!$1:$1"), "\(sheet.name): \(titles)")
            }
        }
    }

    @Test("no summary chart runs across a printed page: each chart below the first starts one")
    func chartsWithinOnePage() async throws {
        let workbook = try await Self.finance()
        let summary = try #require(workbook.sheet("Summary"))
        #expect(summary.charts.count == 3)
        let spans = summary.charts.compactMap(\.rows)
        #expect(spans.count == summary.charts.count, "a chart is not anchored to cells")
        #expect(summary.rowBreaks == spans.map(\.lowerBound).sorted().dropFirst().map { $0 })
        for span in spans {
            // A break at the first row starts the chart's page; one inside would cut it.
            #expect(!summary.rowBreaks.contains { span.lowerBound < $0 && $0 <= span.upperBound }, "a page breaks inside rows \(span)")
            // The chart and the repeated header row fit a landscape page at 100 %: about 32 rows of 15 pt on A4.
            #expect(span.count + 1 <= 32, "rows \(span) cannot fit one page")
        }
    }

    @Test("one daily revenue chart per currency, titled with it, its value axis in that currency's format")
    func revenueChartPerCurrency() async throws {
        let charts = try #require(try await Self.finance().sheet("Summary")?.charts)
        let revenue = charts.filter { $0.title?.hasPrefix("Daily revenue") == true }
        #expect(revenue.map(\.title) == ["Daily revenue (invoiced), JPY", "Daily revenue (invoiced), USD"])
        #expect(revenue.map(\.seriesCount) == [1, 1])
        #expect(revenue.map(\.kind) == ["column", "column"])
        #expect(revenue.map { $0.valueAxis?.numberFormat } == ["\"¥\"#,##0", "\"$\"#,##0.00"])
        #expect(revenue.map { $0.valueAxis?.title } == ["Invoiced (JPY)", "Invoiced (USD)"])
        #expect(revenue[0].seriesRanges.contains("'Daily revenue'!$B$2:$B$32"))
        #expect(revenue[1].seriesRanges.contains("'Daily revenue'!$C$2:$C$32"))
    }

    @Test("day axes show dates, not serial numbers")
    func dateAxes() async throws {
        let finance = try await Self.finance()
        let data = Self.octoberWithNovemberData()
        let usage = UsageReport.build(from: data)
        let usageWorkbook = try await Self.writeAndRead(usage.sheets, charts: usage.charts)
        let dayCharts = (finance.charts + usageWorkbook.charts).filter { $0.categoryAxis?.title == "Day" }
        #expect(dayCharts.count == 3)
        for chart in dayCharts {
            // libxlsxwriter 1.1 writes no <c:dateAx>; a category axis with its own date format reads as dates.
            let axis = try #require(chart.categoryAxis)
            #expect(["catAx", "dateAx"].contains(axis.kind))
            #expect(axis.numberFormat == "d mmm", "\(chart.title ?? "")")
            #expect(!axis.sourceLinked)
        }
    }

    @Test("local vs billed per invoice line is a clustered bar chart, not a line across invoice numbers")
    func invoiceLinesAsBars() async throws {
        let charts = try await Self.finance().charts
        let perLine = try #require(charts.first { $0.title?.contains("invoice line") == true })
        #expect(perLine.kind == "bar")
        #expect(perLine.grouping == "clustered")
        #expect(perLine.seriesCount == 2)
        // Invoices down the side, tokens along the bottom
        #expect(perLine.categoryAxis?.title == "Invoice")
        #expect(perLine.valueAxis?.title == "Tokens")
        #expect(perLine.valueAxis?.numberFormat == "#,##0")
        #expect(!charts.contains { $0.kind == "line" })
    }

    @Test("a change against last month is a percentage: 0.25 shows as +25.0%, and the CSV says 25%")
    func percentages() async throws {
        let usage = UsageReport.build(from: HandDataset.data())
        let workbook = try await Self.writeAndRead(usage.sheets, charts: usage.charts)
        let sheet = try #require(workbook.sheet("Cost and projection"))
        #expect(sheet["K1"]?.string == "Change vs Last Month (%)")
        #expect(sheet["K2"]?.number == 0.25)
        #expect(sheet["K2"]?.numberFormat == "+0.0%;-0.0%;0.0%")
        #expect(CSVWriter().text(for: usage.sheets[2].table).contains(",25%,USD"))
    }

    @Test("October's workbook holds no November row: discrepancies and failed payments stop at the month's edge")
    func monthBoundary() async throws {
        let workbook = try await Self.finance()
        let discrepancies = try #require(workbook.sheet("Discrepancies"))
        #expect(discrepancies.lastRow == 2)
        #expect(discrepancies["E2"]?.number == 46_326)  // window start 2026-10-31
        #expect(discrepancies["C2"]?.string == "Yamada KK")
        let failed = try #require(workbook.sheet("Failed payments"))
        #expect(failed.lastRow == 2)
        #expect(failed["A2"]?.string == "YAMA-0001")
        #expect(!workbook.sheets.flatMap(\.cells.values).contains { $0.string == "YAMA-0002" })
    }

    @Test("the dunning state is Stripe's as of the day the report runs, and the header says which day")
    func dunningAsOfToday() async throws {
        let early = try #require(try await Self.finance().sheet("Failed payments"))
        #expect(early["M1"]?.string == "Dunning State (as of 2026-11-02)")
        #expect(early["M2"]?.string == "retrying")
        let late = try #require(try await Self.finance(Self.octoberWithNovemberData(now: utc("2026-11-30T08:00:00Z")))
            .sheet("Failed payments"))
        #expect(late["M1"]?.string == "Dunning State (as of 2026-11-30)")
        #expect(late["M2"]?.string == "retry overdue")  // the next attempt of Nov 3 is past
    }

    @Test("every header is Title Case, in the workbook and in each CSV alike")
    func titleCaseHeaders() {
        let data = Self.octoberWithNovemberData()
        let sheets = FinanceReport.build(from: data).sheets + UsageReport.build(from: data).sheets
        let minor: Set<String> = ["vs", "of", "at", "and", "per", "in", "or", "to", "as"]
        for sheet in sheets {
            for header in sheet.table.columns.map(\.header) {
                // A unit or qualifier in parentheses, "(minor units)", is not part of the name.
                let name = header.split(separator: "(").first.map(String.init) ?? header
                let words = name.split(separator: " ").filter { !minor.contains(String($0)) }
                #expect(words.allSatisfy { $0.first?.isUppercase == true || $0.first?.isNumber == true },
                        "\(sheet.csvFileName): \(header)")
            }
        }
    }
}
