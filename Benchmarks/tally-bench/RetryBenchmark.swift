import ArgumentParser
import Foundation
import TallyCore
import TallySandbox
import TallyTestKit

/// `tally-retry` re-sending a backlog: the real executable with default settings and a live-mode key,
/// against a simulator that limits live meter events like Stripe (1,000/s by default, apart from the
/// general 100/s). Reports the send rate (meter events Stripe accepted over the span from the first to the
/// last) and the whole run's rate, against the simulator's meter-event limit.
struct RetryBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry", abstract: "The tally-retry executable re-sending a backlog against Stripe's meter-event limit.")

    @Option(help: "Unreported usage rows to re-send.")
    var events = 20_000

    @Option(help: "Meter events per second the simulator allows a live key (Stripe: 1,000).")
    var meterEventRate = FaultPlan.stripeLiveMeterEventRate

    @Option(help: "Requests per second the simulator allows on every other endpoint (Stripe live: 100).")
    var generalRate = 100.0

    @Option(help: "The tally-retry executable (default: next to this benchmark).")
    var executable: String?

    @Flag(help: "Keep the scratch directory and print its path.")
    var keep = false

    func run() async throws {
        let key = "sk_live_bench"
        let now = Date()
        let simulator = StripeSimulator(configuration: SimulatorConfiguration(apiKeys: [key], startTime: now))
        try await simulator.start()
        let meter = try simulator.state.createMeter(displayName: "Tokens", eventName: "tokens")
        let product = simulator.state.createProduct(name: "Tokens")
        let price = try simulator.state.createPrice(product: product.id, unitAmount: 1, usageType: .metered, meter: meter.id)
        let customer = simulator.state.createCustomer(name: "Acme")
        try simulator.state.createSubscription(customer: customer.id, items: [(price.id, nil)])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-bench-retry-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer {
            if keep { print("kept: \(directory.path)") } else { try? FileManager.default.removeItem(at: directory) }
        }

        // Rows spread over the last day, older than the settle delay, none of them in Stripe.
        let database = directory.appendingPathComponent("app.sqlite").path
        let location = DatabaseLocation.sqlite(.file(path: database))
        let usage = (0..<events).map { index in
            SampleUsage(teamID: 1, userID: nil, tokens: Int64(index % 97 + 1),
                        createdAt: now.addingTimeInterval(-3_600 - Double(index) * 80_000 / Double(events)))
        }
        try await SampleAppDatabase.create(at: location, app: SampleApp(
            teams: [SampleTeam(id: 1, name: "Acme", stripeCustomerID: customer.id)], usage: usage))

        simulator.setFaults(FaultPlan(rateLimit: generalRate, meterEventRateLimit: meterEventRate))
        let job = executable ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("tally-retry").path
        let log = directory.appendingPathComponent("retry.log").path
        let before = simulator.requests.count
        let run = try await Interleaved.run([job], environment: [
            "PATH": "/usr/bin:/bin", "STRIPE_SECRET_KEY": key, "STRIPE_API_BASE": simulator.baseURL, "STRIPE_METER_ID": meter.id,
            "DATABASE_URL": "sqlite:\(database)", "REPORTS_DIR": directory.appendingPathComponent("reports").path,
            "LOG_LEVEL": "warning",
        ], log: log)
        try await simulator.shutdown()

        let requests = simulator.requests.dropFirst(before)
        let sends = requests.filter { $0.path == "/v1/billing/meter_events" }
        let accepted = sends.filter { $0.status == 200 }
        let rateLimited = requests.filter { $0.status == 429 }.count
        let span = (accepted.map(\.arrivedAt).max() ?? now).timeIntervalSince(accepted.map(\.arrivedAt).min() ?? now)
        let sendRate = Double(max(0, accepted.count - 1)) / max(span, 1e-9)
        let wholeRate = Double(accepted.count) / run.seconds
        print("""
            | measure | value |
            |---|---|
            | meter events accepted / rows | \(accepted.count) / \(events) |
            | send rate, first to last accepted event | \(String(format: "%.0f", sendRate))/s = \(String(format: "%.2f", sendRate / meterEventRate))x the limit (\(Int(meterEventRate))/s) |
            | whole run (start-up, check, sends, records) | \(String(format: "%.1f", run.seconds)) s, \(String(format: "%.0f", wholeRate))/s = \(String(format: "%.2f", wholeRate / meterEventRate))x the limit |
            | answered 429 | \(rateLimited) |
            | peak memory of tally-retry | \(String(format: "%.0f", run.peakMegabytes)) MB |
            | exit code | \(run.exitCode) |
            | load average | \(Interleaved.loadAverage()) |
            """)
        if run.exitCode > 1 { print((try? String(contentsOfFile: log, encoding: .utf8)) ?? "") }
    }
}
