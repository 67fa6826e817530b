import Foundation
import Testing
@testable import TallyCore

/// The CSVs of the hand dataset, pinned byte for byte. After a deliberate change, regenerate them with
/// `TALLY_RECORD_GOLDEN=1 swift test --filter ReportGoldenTests` and review the diff.
@Suite("Report CSVs against golden files")
struct ReportGoldenTests {
    static let goldenDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden", isDirectory: true)

    static var sheets: [ReportSheet] {
        let data = HandDataset.data()
        return FinanceReport.build(from: data).sheets + UsageReport.build(from: data).sheets
    }

    @Test("every finance and usage CSV matches its golden file", arguments: sheets.map(\.csvFileName))
    func matchesGolden(fileName: String) throws {
        let sheet = try #require(Self.sheets.first { $0.csvFileName == fileName })
        let produced = CSVWriter().text(for: sheet.table)
        let url = Self.goldenDirectory.appendingPathComponent(fileName)
        if ProcessInfo.processInfo.environment["TALLY_RECORD_GOLDEN"] == "1" {
            try Data(produced.utf8).write(to: url)
        }
        let golden = try String(contentsOf: url, encoding: .utf8)
        #expect(produced == golden)
    }

    @Test("the hostile team name is inert text in every CSV: a leading apostrophe, never a formula")
    func hostileNameInert() {
        let texts = Self.sheets.map { CSVWriter().text(for: $0.table) }
        let joined = texts.joined()
        #expect(joined.contains("'=HYPERLINK("))
        let lines = joined.split(separator: "\r\n")
        #expect(!lines.contains { $0.hasPrefix("=") || $0.contains(",=") || $0.contains(",\"=") })
    }

    @Test("the finance workbook's sheets come in order, summary first; usage has its own")
    func sheetOrder() {
        let data = HandDataset.data()
        #expect(FinanceReport.build(from: data).sheets.map(\.table.name) == [
            "Summary", "Daily revenue", "Invoices", "Failed payments", "Subscriptions", "Invoice vs usage",
            "Discrepancies", "API health",
        ])
        #expect(UsageReport.build(from: data).sheets.map(\.table.name) == ["Daily totals", "Usage by team", "Cost and projection"])
    }

    @Test("with no reconciliation run yet, the discrepancies sheet says so")
    func noReconciliation() throws {
        let sheet = try #require(FinanceReport.build(from: HandDataset.data()).sheets.first { $0.table.name == "Discrepancies" })
        #expect(sheet.table.rows == [["no reconciliation run yet"]])
    }

    @Test("one mismatching metered line is one finding for a human")
    func findings() {
        #expect(FinanceReport.build(from: HandDataset.data()).usageMismatches == 1)
    }
}
