import ArgumentParser
import Foundation
import Logging
import TallyCore
import TallySandbox
import TallyTestKit

/// `tally-retry`'s send path (`RetryJob.run`: plan, record each delivery, send, store the answer) over
/// thousands of unreported rows, against the simulator with its meter-event endpoint limited to a rate,
/// and a SQLite store: the throughput should sit within 10 % of that rate.
struct RetryBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry", abstract: "tally-retry re-sending unreported rows against a rate-limited meter-event endpoint.")

    @Option(help: "Unreported usage rows to re-send.")
    var events = 20_000

    @Option(help: "Requests per second the simulator's meter-event endpoint allows.")
    var endpointRate = 200.0

    @Option(help: "Meter events in flight at once.")
    var concurrency = 32

    func run() async throws {
        let key = "sk_test_bench"
        let now = Date()
        let simulator = StripeSimulator(configuration: SimulatorConfiguration(apiKeys: [key], startTime: now))
        try await simulator.start()
        let meter = try simulator.state.createMeter(displayName: "Tokens", eventName: "tokens")
        let customer = simulator.state.createCustomer(name: "Acme")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tally-bench-retry-\(getpid())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }

        // Rows spread over the last day, older than the grace period, none reported.
        let location = DatabaseLocation.sqlite(.file(path: scratch.appendingPathComponent("app.sqlite").path))
        let usage = (0..<events).map { index in
            SampleUsage(teamID: 1, userID: nil, tokens: Int64(index % 97 + 1),
                        createdAt: now.addingTimeInterval(-3_600 - Double(index) * 80_000 / Double(events)))
        }
        try await SampleAppDatabase.create(at: location, app: SampleApp(
            teams: [SampleTeam(id: 1, name: "Acme", stripeCustomerID: customer.id)], usage: usage))

        var quiet = Logger(label: "tally.bench")
        quiet.logLevel = .error
        let store = try await openStore(StoreConfiguration(location: location), logger: quiet)
        let configuration = try await ConfigurationLoader.load(ConfigurationSources(environment: [
            "STRIPE_SECRET_KEY": key, "STRIPE_API_BASE": simulator.baseURL, "STRIPE_METER_ID": meter.id,
            "REPORTS_DIR": scratch.appendingPathComponent("reports").path,
        ]), requirements: [.meterIDs])
        // The client itself is not limited: the simulator's 429s and the client's backoff set the pace.
        let stripe = StripeClient(configuration: StripeClientConfiguration(
            apiKey: Secret(key), apiBase: simulator.baseURL, maxRequestsPerSecond: 0, maxConcurrentRequests: concurrency),
            transport: CurlTransport(), logger: quiet)
        simulator.setFaults(FaultPlan(endpointRateLimits: ["/v1/billing/meter_events": endpointRate]))
        let runID = try await store.startRun(job: RetryJob.name, startedAt: now, arguments: "bench", dryRun: false)
        let context = JobContext(configuration: configuration, store: store, stripe: stripe, mailer: configuration.makeMailer(),
                                 logger: quiet, clock: SystemClock(), interrupt: InterruptFlag(), dryRun: false,
                                 since: nil, until: nil, runID: runID)

        let start = ContinuousClock.now
        let report = try await RetryJob.run(context, settings: RetrySettings(concurrentSends: concurrency))
        let seconds = (ContinuousClock.now - start).timeInterval
        let counted = simulator.state.meterEvents(meterID: meter.id, customer: customer.id).count
        let throughput = Double(counted) / seconds
        let deviation = (throughput - endpointRate) / endpointRate
        try await store.close()
        try await simulator.shutdown()

        print("| run | events | setting | wall time | result | target |")
        print("|---|---|---|---|---|---|")
        print("| tally-retry re-send (SQLite store) | \(events) | endpoint limited to \(Int(endpointRate))/s, \(concurrency) in flight | \(String(format: "%.1f s", seconds)) | \(counted) in Stripe, \(String(format: "%.1f", throughput)) events/s (\(String(format: "%+.1f", deviation * 100)) %) | within 10 % \(abs(deviation) <= 0.10 ? "✓" : "✗") |")
        print(report.summary)
    }
}
