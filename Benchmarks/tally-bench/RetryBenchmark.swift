import ArgumentParser
import Foundation
import TallyCore
import TallySandbox
import TallyTestKit

/// `tally-retry` re-sending a backlog: the real executable with default settings and a live-mode key,
/// against a simulator that limits live meter events like Stripe (1,000/s by default, apart from the
/// general 100/s). Runs ¼, ½ and the full backlog interleaved (¼ ½ 1 ¼ ½ 1 …), each on a fresh simulator and
/// database, and reports per size the median and spread of the send rate (meter events Stripe accepted over
/// the span from the first to the last) and of the whole run, against the simulator's meter-event limit.
struct RetryBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry", abstract: "The tally-retry executable re-sending a backlog against Stripe's meter-event limit.")

    @Option(help: "Unreported usage rows to re-send in the full-size run (¼ and ½ of it run too).")
    var events = 20_000

    @Option(help: "Repetitions of each size, interleaved.")
    var repetitions = 3

    @Option(help: "Meter events per second the simulator allows a live key (Stripe: 1,000).")
    var meterEventRate = FaultPlan.stripeLiveMeterEventRate

    @Option(help: "Requests per second the simulator allows on every other endpoint (Stripe live: 100).")
    var generalRate = 100.0

    @Option(help: "The tally-retry executable (default: next to this benchmark).")
    var executable: String?

    @Flag(help: "Keep the scratch directories and print their paths.")
    var keep = false

    /// One run of `tally-retry` on a backlog of `rows`.
    struct Measurement {
        var rows: Int
        var accepted: Int
        var rateLimited: Int
        /// Accepted events per second, first to last accepted.
        var sendRate: Double
        /// Accepted events over what the simulator's bucket allowed from the first to the last: its burst
        /// (one second's worth) plus the rate over the span. 1 is every allowed call used.
        var budgetUsed: Double
        var run: CommandRun
        var wholeRate: Double { Double(accepted) / run.seconds }
    }

    func validate() throws {
        guard events >= 4 else { throw ValidationError("--events must be at least 4 (¼ of it runs too)") }
        guard repetitions >= 1 else { throw ValidationError("--repetitions must be at least 1") }
    }

    func run() async throws {
        let sizes = [events / 4, events / 2, events]
        let loadBefore = Interleaved.loadAverage()
        var measured: [Int: [Measurement]] = [:]
        for _ in 1...repetitions {
            for size in sizes {
                let measurement = try await measure(rows: size)
                measured[size, default: []].append(measurement)
            }
        }
        let loadAfter = Interleaved.loadAverage()

        func spread(_ values: [Double], _ format: String) -> String {
            "\(String(format: format, Interleaved.median(values))) (\(String(format: format, values.min() ?? .nan))–\(String(format: format, values.max() ?? .nan)))"
        }
        print("tally-bench retry --events \(events) --repetitions \(repetitions): tally-retry with default settings, live key, "
              + "simulator limits \(Int(meterEventRate)) meter events/s and \(Int(generalRate)) other requests/s; median (min–max) of \(repetitions)")
        print("""
            | rows | accepted | send rate, first to last accepted | x the meter-event limit | share of the bucket's allowance used | whole run | whole run rate | x the limit | answered 429 | peak memory | exit codes |
            |---|---|---|---|---|---|---|---|---|---|---|
            """)
        for size in sizes {
            let runs = measured[size] ?? []
            print("| \(size) | \(runs.map { "\($0.accepted)" }.joined(separator: ", ")) "
                  + "| \(spread(runs.map(\.sendRate), "%.0f"))/s | \(spread(runs.map { $0.sendRate / meterEventRate }, "%.2f"))x "
                  + "| \(spread(runs.map(\.budgetUsed), "%.2f")) "
                  + "| \(spread(runs.map(\.run.seconds), "%.1f")) s | \(spread(runs.map(\.wholeRate), "%.0f"))/s "
                  + "| \(spread(runs.map { $0.wholeRate / meterEventRate }, "%.2f"))x | \(runs.map { "\($0.rateLimited)" }.joined(separator: ", ")) "
                  + "| \(spread(runs.map(\.run.peakMegabytes), "%.0f")) MB | \(runs.map { "\($0.run.exitCode)" }.joined(separator: ", ")) |")
        }
        // Growth: the whole run's median time against the ¼ run's; a backlog paced by the limit doubles it with the size.
        let quarter = Interleaved.median((measured[sizes[0]] ?? []).map(\.run.seconds))
        let growth = sizes.map { size -> String in
            let seconds = Interleaved.median((measured[size] ?? []).map(\.run.seconds))
            return "\(size): \(String(format: "%.2f", seconds / quarter))x (\(String(format: "%.2f", seconds * 1_000 / Double(size))) ms per row)"
        }
        print("growth of the whole run from ¼ to ½ to full size (ideal at the limit 1x, 2x, 4x): \(growth.joined(separator: ", "))")
        print("load average (1 min): \(loadBefore) before, \(loadAfter) after")
        for runs in measured.values {
            for failed in runs where failed.run.exitCode > 1 { print("a run of \(failed.rows) rows exited \(failed.run.exitCode)") }
        }
    }

    /// Runs `tally-retry` once over `rows` unreported rows, on a simulator and a database of their own.
    func measure(rows: Int) async throws -> Measurement {
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

        // Rows spread over the day before settled usage ends (RECONCILE_SETTLE_MINUTES, 120 by default, before
        // now, rounded down to the hour), so every one may be sent; none of them in Stripe.
        let settled = now.addingTimeInterval(-120 * 60 - 3_600 - 600)
        let database = directory.appendingPathComponent("app.sqlite").path
        let location = DatabaseLocation.sqlite(.file(path: database))
        let usage = (0..<rows).map { index in
            SampleUsage(teamID: 1, userID: nil, tokens: Int64(index % 97 + 1),
                        createdAt: settled.addingTimeInterval(-Double(index) * 80_000 / Double(rows)))
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
        if run.exitCode > 1 { print((try? String(contentsOfFile: log, encoding: .utf8)) ?? "") }

        let requests = simulator.requests.dropFirst(before)
        let accepted = requests.filter { $0.path == "/v1/billing/meter_events" && $0.status == 200 }
        let first = accepted.map(\.arrivedAt).min() ?? now
        let span = (accepted.map(\.arrivedAt).max() ?? now).timeIntervalSince(first)
        // A token bucket lets its burst go at once, so over a short span the rate may exceed the limit.
        let allowed = Double(max(1, Int(meterEventRate.rounded(.down)))) + meterEventRate * span
        return Measurement(rows: rows, accepted: accepted.count, rateLimited: requests.filter { $0.status == 429 }.count,
                           sendRate: Double(max(0, accepted.count - 1)) / max(span, 1e-9),
                           budgetUsed: Double(accepted.count) / allowed, run: run)
    }
}
