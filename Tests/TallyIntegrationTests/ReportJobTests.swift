import Foundation
import Testing
import TallyCore
import TallySandbox
import TallyTestKit

/// The real `.build/debug/tally-report` (build it first: `swift build --product tally-report`) against the
/// demo dataset in an in-process simulator and a SQLite sample app database.
@Suite("tally-report executable")
struct ReportJobTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let executable = packageRoot.appendingPathComponent(".build/debug/tally-report")
    /// The demo's "now": its subscriptions started 45 days earlier and were billed on Nov 5.
    static let demoNow = ISO8601DateFormatter().date(from: "2026-11-20T12:00:00Z")!

    struct Outcome {
        var status: Int32
        var output: String
        var reports: URL
    }

    /// Seeds the demo, runs `tally-report` with `arguments`, and stops the simulator.
    static func run(_ arguments: [String]) async throws -> Outcome {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-report-it-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let simulator = StripeSimulator(configuration: SimulatorConfiguration(apiKeys: [DemoDataset.sandboxAPIKey]))
        try await simulator.start()
        do {
            let databasePath = directory.appendingPathComponent("app.sqlite").path
            _ = try await DemoDataset.seed(into: simulator, database: .sqlite(.file(path: databasePath)), now: demoNow)
            let reports = directory.appendingPathComponent("reports")
            let (status, output) = try await LocalProcess.run(executable, arguments: arguments, environment: [
                "PATH": "/usr/bin:/bin", "HOME": directory.path,
                "STRIPE_SECRET_KEY": DemoDataset.sandboxAPIKey, "STRIPE_API_BASE": simulator.baseURL,
                "DATABASE_URL": "sqlite:\(databasePath)", "REPORTS_DIR": reports.path,
            ])
            try await simulator.shutdown()
            return Outcome(status: status, output: output, reports: reports)
        } catch {
            try await simulator.shutdown()
            throw error
        }
    }

    @Test("writes both workbooks and every CSV, and exits 1 for the under-billed invoice line")
    func monthlyReport() async throws {
        let outcome = try await Self.run(["--since", "2026-10-06", "--until", "2026-11-21"])
        // Wayne Enterprises' usage 40 days ago never reached Stripe: its November invoice billed less.
        #expect(outcome.status == 1, "\(outcome.output)")
        let month = outcome.reports.appendingPathComponent("2026-10")
        let finance = try XLSXReader.read(month.appendingPathComponent("finance.xlsx"))
        #expect(finance.sheetNames.first == "Summary")
        // Daily revenue in USD and in JPY (one chart per currency), and local vs billed bars per invoice line
        #expect(finance.charts.map(\.kind).sorted() == ["bar", "column", "column"])
        // and the dashboard, beside the months, with nothing to fetch
        let dashboard = try String(contentsOf: outcome.reports.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(dashboard.contains("<h1>Tally dashboard</h1>"))
        #expect(!dashboard.contains("<script") && !dashboard.contains("src="))
        #expect(!finance.containsFormula)
        let check = try String(contentsOf: month.appendingPathComponent("finance-invoice-vs-usage.csv"), encoding: .utf8)
        #expect(check.contains("under-billed"))
        let usage = try String(contentsOf: month.appendingPathComponent("usage-by-team.csv"), encoding: .utf8)
        #expect(usage.contains("'=HYPERLINK("))
        #expect(!outcome.output.contains(DemoDataset.sandboxAPIKey))
    }

    @Test("--team writes that team's usage history CSV")
    func teamHistory() async throws {
        let outcome = try await Self.run(["--team", "1", "--since", "2026-11-01", "--until", "2026-11-21"])
        #expect(outcome.status == 0, "\(outcome.output)")
        let csv = try String(contentsOf: outcome.reports.appendingPathComponent("teams/1/usage-history.csv"), encoding: .utf8)
        let lines = csv.split(separator: "\r\n")
        #expect(lines.first == "Day,Tokens,Rows,Cost,Currency")
        #expect(lines.count == 21)  // header + Nov 1...20
        #expect(lines[1].hasPrefix("2026-11-01,"))
    }

    @Test("a bad --month is a usage error (64); --dry-run writes nothing")
    func usageErrorsAndDryRun() async throws {
        let bad = try await Self.run(["--month", "2026-13"])
        #expect(bad.status == 64)
        let dry = try await Self.run(["--dry-run", "--since", "2026-10-06", "--until", "2026-11-21"])
        #expect([0, 1].contains(dry.status), "\(dry.output)")
        #expect(!FileManager.default.fileExists(atPath: dry.reports.appendingPathComponent("2026-10").path))
    }
}

/// Runs a process to completion without blocking the cooperative pool (posix_spawn, the wait on a thread of
/// its own), its output and errors in one file read back at the end.
enum LocalProcess {
    static func run(_ executable: URL, arguments: [String], environment: [String: String]) async throws -> (Int32, String) {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("tally-local-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: output) }
        let status = await (try SpawnedProcess.spawn(executable.path, arguments: arguments, environment: environment,
                                                     stdout: output.path, stderr: output.path)).wait()
        return (status, (try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }
}
