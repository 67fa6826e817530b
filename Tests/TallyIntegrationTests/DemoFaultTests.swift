import Foundation
import Testing
import TallyCore
import TallySandbox
import TallyTestKit

/// The demo announces the faults it plants (`tally-sandbox: planted: …`); each must reach a report, or the
/// demo oversells. The demo dataset is seeded into an in-process simulator and the real `tally-reconcile`
/// runs the two reconciliations `scripts/demo` runs: the first-install one over the 45 days before the
/// nightly range, and the nightly one.
@Suite("Demo faults reach the reports")
struct DemoFaultTests {
    /// One row of `reconciliation.csv` (columns: Meter, Customer, Team, Window start, Window end, Local,
    /// Stripe, Difference, Class, Repair, Suggested Action, Usage Rows).
    struct ReportedGap {
        var customer: String
        var team: String
        var start: Date
        var end: Date
        var kind: String
        var repair: String

        func matches(_ fault: DemoFault) -> Bool {
            kind == fault.kind.rawValue
                && fault.teamID.map { team == String($0) } ?? true
                && fault.customerID.map { customer == $0 } ?? true
                && start < fault.day.addingTimeInterval(86_400) && fault.day < end
                && fault.repair.map { repair == ($0 == .retry ? "tally-retry" : "human") } ?? true
        }
    }

    struct Outcome {
        var faults: [DemoFault]
        var gaps: [ReportedGap]
        var statuses: [Int32]
        var emails: [String]
        var output: String
    }

    static func reconcileDemo() async throws -> Outcome {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-demo-it-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let executable = try JobProcess.builtExecutable("tally-reconcile")
        let simulator = StripeSimulator(configuration: SimulatorConfiguration(apiKeys: [DemoDataset.sandboxAPIKey]))
        try await simulator.start()
        do {
            let now = Date()
            let database = directory.appendingPathComponent("app.sqlite").path
            let seed = try await DemoDataset.seed(into: simulator, database: .sqlite(.file(path: database)), now: now)
            let reports = directory.appendingPathComponent("reports")
            let environment = [
                "HOME": directory.path, "STRIPE_SECRET_KEY": DemoDataset.sandboxAPIKey, "STRIPE_API_BASE": simulator.baseURL,
                "STRIPE_METER_ID": seed.meterID, "DATABASE_URL": "sqlite:\(database)", "REPORTS_DIR": reports.path,
                "ALERT_EMAIL": "billing-ops@example.com",
            ]
            let today = JobTimeRange.startOfUTCDay(now)
            let day = { (daysAgo: Double) in UTCCalendarText.day(today.addingTimeInterval(-daysAgo * 86_400)) }
            // scripts/demo: the first-install reconciliation, up to where the nightly range (yesterday and
            // the 3 lookback days before it) starts, then the nightly one.
            let firstInstall = try await JobProcess.run(executable, arguments: ["--since", day(45), "--until", day(4)], environment: environment)
            let nightly = try await JobProcess.run(executable, environment: environment)
            try await simulator.shutdown()

            var gaps: [ReportedGap] = []
            for reportDay in [day(5), day(1)] {
                let csv = try String(contentsOf: reports.appendingPathComponent("\(reportDay)/reconciliation.csv"), encoding: .utf8)
                gaps += try Self.rows(of: csv).dropFirst().map { cells in
                    guard cells.count >= 10, let start = Self.instant(cells[3]), let end = Self.instant(cells[4]) else {
                        throw CSVShapeError(row: cells)
                    }
                    return ReportedGap(customer: cells[1], team: cells[2], start: start, end: end, kind: cells[8], repair: cells[9])
                }
            }
            let outbox = reports.appendingPathComponent("outbox")
            let emails = try FileManager.default.contentsOfDirectory(atPath: outbox.path).filter { $0.hasSuffix(".eml") }.sorted()
                .map { try String(contentsOf: outbox.appendingPathComponent($0), encoding: .utf8) }
            return Outcome(faults: seed.faults, gaps: gaps, statuses: [firstInstall.exitCode, nightly.exitCode], emails: emails,
                           output: firstInstall.stderr + nightly.stderr)
        } catch {
            try? await simulator.shutdown()
            throw error
        }
    }

    @Test("every fault the demo announces is a discrepancy of its class in a reconciliation report, and both runs email it")
    func everyAnnouncedFaultIsReported() async throws {
        // Given the demo dataset, when the demo's two reconciliations run,
        let outcome = try await Self.reconcileDemo()

        // then each announced fault is in a report, as the class the demo promises,
        #expect(outcome.faults.count == 7)
        for fault in outcome.faults {
            #expect(outcome.gaps.contains { $0.matches(fault) }, "not reported: \(fault.description)\n\(outcome.output)")
        }
        // and both runs need a human and say so by email.
        #expect(outcome.statuses == [1, 1], "\(outcome.output)")
        #expect(outcome.emails.count == 2)
    }

    /// `2026-11-24T13:00:00Z`, as the CSV writes instants.
    static func instant(_ text: String) -> Date? { ISO8601DateFormatter().date(from: text) }

    /// RFC 4180 rows: quoted cells may hold commas, doubled quotes and line breaks.
    static func rows(of csv: String) throws -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var cell = ""
        var quoted = false
        var characters = csv.makeIterator()
        while let character = characters.next() {
            switch (quoted, character) {
            case (true, "\""):
                quoted = false
            case (true, _):
                cell.append(character)
            case (false, "\""):
                if !cell.isEmpty { cell.append("\"") }
                quoted = true
            case (false, ","):
                row.append(cell)
                cell = ""
            case (false, "\r\n"), (false, "\n"):
                row.append(cell)
                rows.append(row)
                (row, cell) = ([], "")
            default:
                cell.append(character)
            }
        }
        if !cell.isEmpty || !row.isEmpty { rows.append(row + [cell]) }
        return rows
    }

    struct CSVShapeError: Error, CustomStringConvertible {
        var row: [String]
        var description: String { "unexpected reconciliation.csv row: \(row)" }
    }
}
