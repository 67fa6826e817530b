import ArgumentParser
import Foundation
import TallyCore
import TallySandbox
import TallyTestKit

/// `tally-bench reconcile`: the real `tally-reconcile` executable against a simulator that allows 100
/// requests/s with 40 ms latency, over 10,000 customers and 2 million usage rows of one day, 1% of the
/// customer-days carrying a planted gap. The baseline is the time the Stripe calls alone must take at the
/// simulator's rate (calls / rate), measured in the same run; the job's peak memory is its own (the
/// simulator lives in this process, the job in a child).
struct ReconcileBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Times tally-reconcile against calls/rate on a rate-limited simulator; reports calls and peak memory.")

    @Option(help: "Customers (each with a team, a metered subscription and usage).")
    var customers = 10_000

    @Option(help: "Usage rows over the day, spread evenly over the customers.")
    var rows = 2_000_000

    @Option(help: "Share of customers with a planted gap (one hour of usage never sent).")
    var gapShare = 0.01

    @Option(help: "The simulator's overall rate limit, requests per second; the job is allowed the same.")
    var rate = 100.0

    @Option(name: .customLong("latency-ms"), help: "Latency the simulator adds to every request.")
    var latencyMilliseconds = 40

    @Option(help: "The tally-reconcile executable (default: next to this benchmark).")
    var executable: String?

    @Flag(help: "Keep the scratch directory (the app database, reports, the job's log) and print its path.")
    var keep = false

    func run() async throws {
        let key = "sk_test_bench"
        let today = JobTimeRange.startOfUTCDay(Date())
        let day = today.addingTimeInterval(-2 * 86_400)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-bench-reconcile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer {
            if keep { print("kept: \(directory.path)") } else { try? FileManager.default.removeItem(at: directory) }
        }

        // Stripe: a meter, and each customer on a metered price.
        let simulator = StripeSimulator(configuration: SimulatorConfiguration(apiKeys: [key], startTime: Date()))
        try await simulator.start()
        let meter = try simulator.state.createMeter(displayName: "Tokens", eventName: "tokens")
        let product = simulator.state.createProduct(name: "Tokens")
        let price = try simulator.state.createPrice(product: product.id, unitAmount: 1, usageType: .metered, meter: meter.id)
        var customerIDs: [String] = []
        customerIDs.reserveCapacity(customers)
        for index in 0..<customers {
            let customer = simulator.state.createCustomer(email: "c\(index)@bench.example", name: "Customer \(index)")
            try simulator.state.createSubscription(customer: customer.id, items: [(price.id, nil)])
            customerIDs.append(customer.id)
        }

        // The app: a team per customer, usage rows spread over the day; planted customers' 13:00 hour unsent.
        let location = DatabaseLocation.sqlite(.file(path: directory.appendingPathComponent("app.sqlite").path))
        let teams = (0..<customers).map { SampleTeam(id: Int64($0 + 1), name: "Team \($0)", stripeCustomerID: customerIDs[$0]) }
        let gapEvery = max(1, Int((1 / gapShare).rounded()))
        let customers = self.customers
        let spacing = 86_400.0 / Double(max(1, rows / customers))
        @Sendable func usage(_ index: Int) -> (customer: Int, at: Date, tokens: Int64, sent: Bool) {
            let customer = index % customers
            let at = day.addingTimeInterval(Double(index / customers) * spacing + Double(customer % 60))
            let planted = customer % gapEvery == 0 && (13 * 3_600..<14 * 3_600).contains(Int(at.timeIntervalSince(day)))
            return (customer, at, Int64(1 + (index &* 7_919) % 500), !planted)
        }
        var began = ContinuousClock.now
        try await SampleAppDatabase.create(at: location, app: SampleApp(teams: teams))
        try await SampleAppDatabase.insertUsage(count: rows, at: location) { index in
            let row = usage(index)
            return SampleUsage(teamID: Int64(row.customer + 1), userID: nil, tokens: row.tokens, createdAt: row.at,
                               meterEventIdentifier: row.sent ? "tu_\(index + 1)" : nil,
                               reportedAt: row.sent ? row.at.addingTimeInterval(1) : nil)
        }
        var events: [SimulatedMeterEvent] = []
        events.reserveCapacity(100_000)
        var planted = Set<Int>()
        for index in 0..<rows {
            let row = usage(index)
            guard row.sent else { planted.insert(row.customer); continue }
            events.append(SimulatedMeterEvent(identifier: "tu_\(index + 1)", eventName: "tokens", customer: customerIDs[row.customer],
                                              value: row.tokens, timestamp: Int64(row.at.timeIntervalSince1970)))
            if events.count == 100_000 {
                simulator.state.appendMeterEvents(events)
                events.removeAll(keepingCapacity: true)
            }
        }
        simulator.state.appendMeterEvents(events)
        print("setup: \(customers) customers, \(rows) rows, \(planted.count) planted customer-days, in \(ContinuousClock.now - began)")

        // The run: the real executable, rate-limited and slowed like Stripe.
        simulator.setFaults(FaultPlan(latency: .milliseconds(latencyMilliseconds), rateLimit: rate))
        let requestsBefore = simulator.requests.count
        let job = URL(fileURLWithPath: executable ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("tally-reconcile").path)
        // GNU time measures the job's own peak memory: a child's ru_maxrss keeps the memory it shared with
        // its parent before exec, and this parent holds the whole simulator.
        let peakFile = directory.appendingPathComponent("peak-kilobytes")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/time")
        process.arguments = ["-f", "%M", "-o", peakFile.path, job.path, "--since", UTCCalendarText.day(day), "--until", UTCCalendarText.day(day.addingTimeInterval(86_400))]
        process.environment = [
            "PATH": "/usr/bin:/bin", "STRIPE_API_BASE": simulator.baseURL, "STRIPE_SECRET_KEY": key, "STRIPE_METER_ID": meter.id,
            "STRIPE_MAX_RPS": String(rate), "DATABASE_URL": "sqlite:\(directory.appendingPathComponent("app.sqlite").path)",
            "REPORTS_DIR": directory.appendingPathComponent("reports").path, "LOG_LEVEL": "info",
        ]
        process.standardOutput = FileHandle.nullDevice
        let log = directory.appendingPathComponent("reconcile.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: log)
        began = ContinuousClock.now
        let exitCode: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        let wall = ContinuousClock.now - began
        let peakText = (try? String(contentsOf: peakFile, encoding: .utf8)) ?? ""
        guard let peakKilobytes = peakText.split(separator: "\n").last.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) else {
            throw ValidationError("/usr/bin/time reported no peak memory (apt-get install time): \(peakText)")
        }
        try await simulator.shutdown()
        let store = try await openStore(StoreConfiguration(location: location), logger: .init(label: "tally-bench"))
        var found = Set<String>()
        for run in try await store.reconciliationRuns(jobRunID: nil) {
            for discrepancy in try await store.discrepancies(reconciliationRunID: run.id) { found.insert(discrepancy.discrepancy.customerID ?? "") }
        }
        try await store.close()

        let calls = simulator.requests.dropFirst(requestsBefore)
        let stripeCalls = calls.filter { $0.path.hasPrefix("/v1/") }
        let rateLimited = stripeCalls.filter { $0.status == 429 }.count
        let ideal = Double(stripeCalls.count) / rate
        let seconds = wall.timeInterval
        let allowedCalls = customers + 10 * planted.count
        let peakMB = Double(peakKilobytes) / 1_024
        print("""

            | measure | value | target |
            |---|---|---|
            | Stripe calls (incl. \(rateLimited) answered 429) | \(stripeCalls.count) | <= \(allowedCalls) (customers + 10 x \(planted.count) discrepant customer-days) |
            | ideal: calls / \(Int(rate)) per second | \(String(format: "%.1f", ideal)) s | |
            | tally-reconcile wall time | \(String(format: "%.1f", seconds)) s | |
            | wall / ideal | \(String(format: "%.3f", seconds / ideal))x | <= 1.15x |
            | peak resident memory of tally-reconcile | \(String(format: "%.0f", peakMB)) MB | < 250 MB |
            | customers with a discrepancy found | \(found.count) | \(planted.count) planted |
            | exit code | \(exitCode) | 0 or 1 (1 only when the gap exceeds RECONCILE_ALERT_RATIO or needs a human) |
            """)
        if exitCode > 1 || found.count != planted.count {
            print("reconcile log:\n" + ((try? String(contentsOf: log, encoding: .utf8)) ?? ""))
        }
    }
}
