import Foundation

/// The files and email of a `tally-retry` run: `retry.csv` (every row handled) and, when non-empty,
/// `retry-needs-human.csv` with the exact rows and the suggested fix. Pure: results in, bytes out.
public struct RetryReport: Sendable {
    public var results: [RetryRowResult]
    public var date: Date

    public init(results: [RetryRowResult], date: Date) {
        self.results = results
        self.date = date
    }

    public var needsHuman: [RetryRowResult] { results.filter { $0.outcome == .needsHuman } }

    /// The columns naming a usage row, in Title Case as every report's headers.
    static let rowColumns: [ReportColumn] = ["Usage Row ID", "Identifier", "Customer ID", "Value (Tokens)", "Event Time (UTC)"]

    /// Every row handled.
    public var handledTable: ReportTable {
        ReportTable(name: "Retry", columns: Self.rowColumns + ["Outcome", "Detail"],
                    rows: results.map { r in
                        [.text(r.usageRowID), .text(r.identifier), .text(r.customerID), .integer(r.value),
                         .dateTime(r.timestamp), .text(r.outcome.rawValue), .text(r.detail)]
                    })
    }

    /// The rows a person must bill or credit by hand.
    public var needsHumanTable: ReportTable {
        ReportTable(name: "Needs a human", columns: Self.rowColumns + ["Reason", "Suggested Fix"],
                    rows: needsHuman.map { r in
                        [.text(r.usageRowID), .text(r.identifier), .text(r.customerID), .integer(r.value),
                         .dateTime(r.timestamp), .text(r.detail), .text(r.suggestedFix ?? "")]
                    })
    }

    /// Writes the CSV files (each under its final name only when complete) and returns their URLs.
    public func write(to paths: ReportPaths, writer: AtomicFileWriter = AtomicFileWriter()) async throws -> [URL] {
        let handled = paths.dailyFile("retry.csv", for: date)
        try await writer.write(CSVWriter().data(for: handledTable), to: handled)
        guard !needsHuman.isEmpty else { return [handled] }
        let human = paths.dailyFile("retry-needs-human.csv", for: date)
        try await writer.write(CSVWriter().data(for: needsHumanTable), to: human)
        return [handled, human]
    }
}
