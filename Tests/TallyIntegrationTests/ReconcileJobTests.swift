import Foundation
import Testing
import TallyCore
import TallySandbox
import TallyTestKit

/// The real `tally-reconcile` executable (`.build/debug/tally-reconcile`, built by `swift build`) against
/// the simulator on loopback and a SQLite sample app database: exit codes and report files.
@Suite("tally-reconcile executable")
struct ReconcileExecutableTests {
    static let key = "sk_test_tally"

    /// Runs the executable with `arguments` and exactly `environment`, without blocking a thread.
    static func runJob(_ arguments: [String], environment: [String: String]) async throws -> (status: Int32, output: String) {
        let executable = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/tally-reconcile")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw ExecutableMissing(path: executable.path)
        }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("tally-reconcile-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: output) }
        let status = await (try SpawnedProcess.spawn(executable.path, arguments: arguments, environment: environment,
                                                     stdout: output.path, stderr: output.path)).wait()
        return (status, (try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }

    struct ExecutableMissing: Error, CustomStringConvertible {
        var path: String
        var description: String { "\(path) is missing: run `swift build` first" }
    }

    /// Plants usage two days ago (all of it in Stripe unless `plantGap`) and runs the job over that day.
    /// `requests`: what the simulator received, for counting Stripe calls.
    func run(plantGap: Bool) async throws -> (status: Int32, output: String, reports: URL, day: String, meterID: String,
                                              requests: [RecordedRequest]) {
        let now = Date()
        let simulator = StripeSimulator(configuration: SimulatorConfiguration(apiKeys: [Self.key], startTime: now))
        try await simulator.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-reconcile-it-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        do {
            let meter = try simulator.state.createMeter(displayName: "Tokens", eventName: "tokens")
            let product = simulator.state.createProduct(name: "AI tokens")
            let price = try simulator.state.createPrice(product: product.id, unitAmount: 1, usageType: .metered, meter: meter.id)
            let customer = simulator.state.createCustomer(name: "Acme")
            try simulator.state.createSubscription(customer: customer.id, items: [(price: price.id, quantity: nil)])

            let day = JobTimeRange.startOfUTCDay(now).addingTimeInterval(-2 * 86_400)
            let times = [day.addingTimeInterval(3_600), day.addingTimeInterval(7_200), day.addingTimeInterval(86_399)]
            let usage = times.map { SampleUsage(teamID: 1, userID: nil, tokens: 100, createdAt: $0, reportedAt: $0) }
            let sent = plantGap ? Array(times.dropLast()) : times
            simulator.state.appendMeterEvents(sent.enumerated().map {
                SimulatedMeterEvent(identifier: "tu_\($0.offset)", eventName: "tokens", customer: customer.id, value: 100,
                                    timestamp: Int64($0.element.timeIntervalSince1970))
            })
            let database = directory.appendingPathComponent("app.sqlite").path
            try await SampleAppDatabase.create(at: .sqlite(.file(path: database)), app: SampleApp(
                teams: [SampleTeam(id: 1, name: "Acme", stripeCustomerID: customer.id)], usage: usage))

            let reports = directory.appendingPathComponent("reports")
            let dayText = String(ISO8601DateFormatter().string(from: day).prefix(10))
            let nextDay = String(ISO8601DateFormatter().string(from: day.addingTimeInterval(86_400)).prefix(10))
            let result = try await Self.runJob(["--since", dayText, "--until", nextDay], environment: [
                "PATH": "/usr/bin:/bin", "STRIPE_SECRET_KEY": Self.key, "STRIPE_API_BASE": simulator.baseURL,
                "STRIPE_METER_ID": meter.id, "DATABASE_URL": "sqlite:\(database)", "REPORTS_DIR": reports.path,
                "ALERT_EMAIL": "ops@example.com",
            ])
            let requests = simulator.requests
            try await simulator.shutdown()
            return (result.status, result.output, reports, dayText, meter.id, requests)
        } catch {
            try? await simulator.shutdown()
            throw error
        }
    }

    @Test("a planted gap exits 1 and leaves the reports and the alert")
    func exitsOneOnGap() async throws {
        let result = try await run(plantGap: true)
        #expect(result.status == 1, "\(result.output)")
        let dayDirectory = result.reports.appendingPathComponent(result.day)
        #expect(FileManager.default.fileExists(atPath: dayDirectory.appendingPathComponent("reconciliation.csv").path))
        #expect(FileManager.default.fileExists(atPath: dayDirectory.appendingPathComponent("reconciliation.xlsx").path))
        let csv = try String(contentsOf: dayDirectory.appendingPathComponent("reconciliation.csv"), encoding: .utf8)
        #expect(csv.contains(",lost_after_ack,"))
        let outbox = try FileManager.default.contentsOfDirectory(atPath: result.reports.appendingPathComponent("outbox").path)
        #expect(outbox.filter { $0.hasSuffix(".eml") }.count == 1)
    }

    @Test("clean usage exits 0 with an empty report and no alert")
    func exitsZeroWhenClean() async throws {
        let result = try await run(plantGap: false)
        #expect(result.status == 0, "\(result.output)")
        let csv = try String(contentsOf: result.reports.appendingPathComponent("\(result.day)/reconciliation.csv"), encoding: .utf8)
        #expect(csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 1)
        #expect(!FileManager.default.fileExists(atPath: result.reports.appendingPathComponent("outbox").path))
    }

    @Test("each STRIPE_METER_ID is fetched from Stripe once per run: the job's own fetch is the only check that Stripe knows it")
    func fetchesEachMeterOnce() async throws {
        // Given one configured meter and clean usage
        // When tally-reconcile runs
        let result = try await run(plantGap: false)

        // Then it asked Stripe for the meter once, not once to check it and again to use it
        #expect(result.status == 0, "\(result.output)")
        let meterFetches = result.requests.filter { $0.method == "GET" && $0.path == "/v1/billing/meters/\(result.meterID)" }
        #expect(meterFetches.count == 1)
    }
}
