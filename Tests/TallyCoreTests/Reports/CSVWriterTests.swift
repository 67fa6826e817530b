import Foundation
import Testing
@testable import TallyCore

@Suite("CSV writer")
struct CSVWriterTests {
    /// Quotes, commas, newlines, unicode, formulas and negative numbers as text and as numbers.
    static let trickyTable = ReportTable(
        name: "Tricky",
        columns: ["Customer", "Note", "Tokens", "Amount", "Day", "At", "Paid", "Link"],
        rows: [
            [
                .text("Acme, Inc."), .text("He said \"hi\""), .integer(1200),
                .money(minorUnits: 123_456, currency: "usd"), .date(utc("2026-11-24T13:05:09Z")),
                .dateTime(utc("2026-11-24T13:05:09Z")), .boolean(true), .url("https://example.com/a?b=1,2"),
            ],
            [
                .text("=HYPERLINK(\"http://evil\",\"x\")"), .text("line1\nline2"), .integer(-12),
                .money(minorUnits: -5, currency: "EUR"), .date(utc("2026-11-24T23:59:59Z")),
                .dateTime(utc("2026-11-24T23:59:59Z")), .boolean(false), .url("https://example.com", label: "Example"),
            ],
            [
                .text("Zoë 東京 🚀"), .text("-12"), .integer(-12), .money(minorUnits: 500, currency: "jpy"),
                .date(utc("2026-01-01T00:00:00Z")), .dateTime(utc("2026-01-01T00:00:00Z")), .boolean(false), .blank,
            ],
            [
                .text("\tTabbed"), .text("\rCR start"), .integer(7), .money(minorUnits: 1234, currency: "KWD"),
                .blank, .blank, .blank, .blank,
            ],
            [.text("+1 555"), .text("@SUM(A1)")],
        ])

    static let goldenURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().appendingPathComponent("Golden/tricky-cells.csv")

    @Test("renders tricky cells exactly as the golden file")
    func matchesGoldenFile() throws {
        // Given a table with every kind of awkward cell, when it is rendered as CSV
        let rendered = CSVWriter().data(for: Self.trickyTable)
        // then the bytes equal the golden file (CRLF line ends, RFC 4180 quoting, neutralised formulas)
        let golden = try Data(contentsOf: Self.goldenURL)
        #expect(String(decoding: rendered, as: UTF8.self) == String(decoding: golden, as: UTF8.self))
        #expect(rendered == golden)
    }

    @Test("neutralises text that a spreadsheet would run, but keeps negative numbers numeric")
    func neutralisesTextNotNumbers() {
        let writer = CSVWriter()
        #expect(writer.field(.text("-12")) == "'-12")
        #expect(writer.field(.integer(-12)) == "-12")
        #expect(writer.field(.decimal(Decimal(string: "-0.25")!)) == "-0.25")
        #expect(writer.field(.money(minorUnits: -1999, currency: "USD")) == "-19.99")
        #expect(writer.field(.text("=1+1")) == "'=1+1")
        #expect(writer.field(.text("@cmd")) == "'@cmd")
        #expect(writer.field(.text("+49 30")) == "'+49 30")
        #expect(writer.field(.text("plain - text")) == "plain - text")
    }

    @Test("writes instants as ISO 8601 in UTC and days as the UTC calendar day")
    func writesDatesInUTC() {
        let writer = CSVWriter()
        let lateEvening = utc("2026-02-28T23:30:00-02:00")  // already 1 March in UTC
        #expect(writer.field(.dateTime(lateEvening)) == "2026-03-01T01:30:00Z")
        #expect(writer.field(.date(lateEvening)) == "2026-03-01")
        #expect(writer.field(.date(utc("2024-02-29T12:00:00Z"))) == "2024-02-29")
        #expect(writer.field(.dateTime(utc("1969-12-31T23:59:59Z"))) == "1969-12-31T23:59:59Z")
    }

    @Test("pads short rows so every line has one field per column")
    func padsShortRows() {
        let table = ReportTable(name: "T", columns: ["a", "b", "c"], rows: [[.integer(1)]])
        #expect(CSVWriter().text(for: table) == "a,b,c\r\n1,,\r\n")
    }
}
