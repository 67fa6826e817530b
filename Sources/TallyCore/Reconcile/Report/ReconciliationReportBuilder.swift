import Foundation

/// Builds the reconciliation report's tables: the discrepancies (the CSV, and a sheet), a summary of
/// totals, and local against Stripe per day (the chart's data).
public struct ReconciliationReportBuilder: Sendable {
    public var outcome: ReconciliationOutcome

    public init(outcome: ReconciliationOutcome) {
        self.outcome = outcome
    }

    /// `Summary`: totals, the ratio and the counts per class.
    public var summary: ReportTable {
        var table = ReportTable(name: "Summary", columns: [ReportColumn("Item", width: 34), ReportColumn("Value", width: 26)])
        let requested = outcome.range.requested
        table.append(["Range start (UTC)", .dateTime(requested.start)])
        table.append(["Range end (UTC, exclusive)", .dateTime(requested.end)])
        table.append(["Judged up to (settled usage)", .dateTime(outcome.range.end)])
        table.append(["Meters", .text(outcome.meters.map { "\($0.meterID) (\($0.formula.rawValue))" }.joined(separator: ", "))])
        table.append(["Customers compared", .integer(Int64(outcome.customers))])
        table.append(["Local usage", .integer(outcome.localTotal)])
        table.append(["Stripe usage", .integer(outcome.stripeTotal)])
        table.append(["Absolute discrepancy", .integer(outcome.absoluteDiscrepancy)])
        table.append(["Discrepancy ratio", outcome.ratio.map { .decimal(Self.rounded($0, places: 6)) } ?? .blank])
        table.append(["Alert ratio", .decimal(Self.rounded(outcome.alertRatio, places: 6))])
        table.append(["Discrepancies", .integer(Int64(outcome.discrepancies.count))])
        for kind in DiscrepancyKind.allCases {
            table.append([.text("  \(kind.rawValue)"), .integer(Int64(outcome.discrepancies.filter { $0.kind == kind }.count))])
        }
        table.append(["Repairable by tally-retry", .integer(Int64(outcome.repairable.count))])
        table.append(["Need a human", .integer(Int64(outcome.needingHuman.count))])
        for problem in UsageProblem.allCases {
            table.append([.text("Bad rows: \(problem.reason)"), .integer(outcome.badRows[problem])])
        }
        table.append(["Customers not compared (errors)", .integer(Int64(outcome.failedCustomers.count))])
        return table
    }

    /// `Discrepancies`: one row per classified gap, in the order found.
    public var discrepancies: ReportTable {
        var table = ReportTable(name: "Discrepancies", columns: [
            "Meter", "Customer", "Team", "Window Start (UTC)", "Window End (UTC)", "Local", "Stripe", "Difference",
            "Class", "Repair", ReportColumn("Suggested Action", width: 60), "Usage Rows",
        ])
        for d in outcome.discrepancies {
            // A bad-rows line counts rows, not tokens: its count is in the suggested action and its ids under
            // Usage rows, never in the token columns.
            let tokens: [ReportCell] = d.isUsage
                ? [.integer(d.localValue), .integer(d.stripeValue), .integer(d.difference)] : [.blank, .blank, .blank]
            table.append([
                .text(d.meterID), d.customerID.map(ReportCell.text) ?? .blank, d.teamID.map(ReportCell.text) ?? .blank,
                .dateTime(d.windowStart), .dateTime(d.windowEnd),
            ] + tokens + [
                .text(d.kind.rawValue), .text(d.repair == .retry ? "tally-retry" : "human"), .text(d.suggestedAction),
                .text(d.usageRowIDs.joined(separator: " ")),
            ])
        }
        return table
    }

    /// `Daily`: local and Stripe usage per UTC day, summed over meters and customers.
    public var daily: ReportTable {
        var table = ReportTable(name: "Daily", columns: ["Day", "Local", "Stripe", "Difference"])
        var byDay: [Date: (Int64, Int64)] = [:]
        for meter in outcome.meters {
            for day in meter.daily {
                let current = byDay[day.day] ?? (0, 0)
                byDay[day.day] = (current.0 + day.local, current.1 + day.stripe)
            }
        }
        for day in byDay.keys.sorted() {
            let (local, stripe) = byDay[day]!
            table.append([.date(day), .integer(local), .integer(stripe), .integer(local - stripe)])
        }
        return table
    }

    /// A native line chart of local against Stripe per day, placed on the summary sheet.
    public func chart(daily: ReportTable) -> ChartSpec {
        ChartSpec(kind: .line, title: "Local vs Stripe usage per day", categoryAxisTitle: "Day",
                  valueAxisTitle: "Usage", categories: .dataColumn(0, of: daily),
                  series: [ChartSeries(name: "Local", values: .dataColumn(1, of: daily)),
                           ChartSeries(name: "Stripe", values: .dataColumn(2, of: daily))],
                  anchor: CellPosition(row: 1, column: 3))
    }

    /// Writes `reconciliation.csv` and `reconciliation.xlsx` under `REPORTS_DIR/YYYY-MM-DD/`, each
    /// atomically; returns their URLs.
    public func write(to paths: ReportPaths, writer: AtomicFileWriter = AtomicFileWriter()) async throws -> (csv: URL, xlsx: URL) {
        let day = outcome.reportDay
        let csvURL = paths.dailyFile("reconciliation.csv", for: day)
        let xlsxURL = paths.dailyFile("reconciliation.xlsx", for: day)
        try await writer.write(csvData, to: csvURL)
        let tables = [summary, discrepancies, daily]
        let chart = chart(daily: tables[2])
        let title = "Tally reconciliation \(UTCCalendarText.day(day))"
        try await writer.write(to: xlsxURL) { temporaryURL in
            try await Workbook.write(tables, charts: [chart], to: temporaryURL,
                                     properties: DocumentProperties(title: title, subject: "Usage reconciliation"))
        }
        return (csvURL, xlsxURL)
    }

    /// The discrepancies as CSV bytes (the file, and the email attachment).
    public var csvData: Data { CSVWriter().data(for: discrepancies) }

    static func rounded(_ value: Double, places: Int) -> Decimal {
        var decimal = Decimal(value)
        var result = Decimal()
        NSDecimalRound(&result, &decimal, places, .plain)
        return result
    }
}
