import Foundation
import TallyCore
import TallySandbox
import TallyTestKit

/// The world the reconcile benchmarks run in: a Stripe simulator with one meter and every customer on a
/// metered price, and a sample app database whose usage Stripe holds in full except for the planted
/// customer-days, where the 13:00 hour never reached Stripe.
///
/// Rows are spread evenly over the customers and the days: row `i` belongs to customer `i % customers`, and
/// each customer-day's rows are evenly spaced over the day.
struct ReconcileBenchWorld {
    /// A live-mode key: the job's defaults are then Stripe's live limits (97 of 100 requests a second), the
    /// limit the simulator enforces.
    static let key = "sk_live_tallybench"

    var simulator: StripeSimulator
    var meterID: String
    var customerIDs: [String]
    var database: String
    /// `--since`, `--until` for the job: the benchmark's days.
    var since: Date
    var until: Date
    /// The customer-days with a gap, as "cus_… YYYY-MM-DD".
    var planted: Set<String>

    /// Builds the world in `directory`: `customers` customers, `rows` usage rows over `days` UTC days ending
    /// two days ago, `gapShare` of the customer-days planted.
    static func build(in directory: URL, customers: Int, rows: Int, days: Int, gapShare: Double) async throws -> ReconcileBenchWorld {
        let until = JobTimeRange.startOfUTCDay(Date()).addingTimeInterval(-86_400)
        let since = until.addingTimeInterval(-Double(days) * 86_400)
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

        let database = directory.appendingPathComponent("app.sqlite").path
        let location = DatabaseLocation.sqlite(.file(path: database))
        let teams = (0..<customers).map { SampleTeam(id: Int64($0 + 1), name: "Team \($0)", stripeCustomerID: customerIDs[$0]) }
        let perCustomerDay = max(1, rows / max(1, customers * days))
        let spacing = 86_400.0 / Double(perCustomerDay)
        let gapEvery = max(1, Int((1 / gapShare).rounded()))
        @Sendable func usage(_ index: Int) -> (customer: Int, day: Int, at: Date, tokens: Int64, sent: Bool) {
            let customer = index % customers
            let slot = index / customers
            let day = slot % days
            let at = since.addingTimeInterval(Double(day) * 86_400 + Double(slot / days) * spacing + Double(customer % 60))
            let planted = (customer * days + day) % gapEvery == 0
                && (13 * 3_600..<14 * 3_600).contains(Int(at.timeIntervalSince(since)) % 86_400)
            return (customer, day, at, Int64(1 + (index &* 7_919) % 500), !planted)
        }
        try await SampleAppDatabase.create(at: location, app: SampleApp(teams: teams))
        try await SampleAppDatabase.insertUsage(count: rows, at: location) { index in
            let row = usage(index)
            return SampleUsage(teamID: Int64(row.customer + 1), userID: nil, tokens: row.tokens, createdAt: row.at,
                               meterEventIdentifier: row.sent ? "tu_\(index + 1)" : nil,
                               reportedAt: row.sent ? row.at.addingTimeInterval(1) : nil)
        }
        var events: [SimulatedMeterEvent] = []
        events.reserveCapacity(100_000)
        var planted = Set<String>()
        for index in 0..<rows {
            let row = usage(index)
            guard row.sent else {
                planted.insert("\(customerIDs[row.customer]) \(UTCCalendarText.day(since.addingTimeInterval(Double(row.day) * 86_400)))")
                continue
            }
            events.append(SimulatedMeterEvent(identifier: "tu_\(index + 1)", eventName: "tokens", customer: customerIDs[row.customer],
                                              value: row.tokens, timestamp: Int64(row.at.timeIntervalSince1970)))
            if events.count == 100_000 {
                simulator.state.appendMeterEvents(events)
                events.removeAll(keepingCapacity: true)
            }
        }
        simulator.state.appendMeterEvents(events)
        return ReconcileBenchWorld(simulator: simulator, meterID: meter.id, customerIDs: customerIDs, database: database,
                                   since: since, until: until, planted: planted)
    }

    /// The environment of `tally-reconcile` with default settings: only what says where things are.
    func environment(reports: URL) -> [String: String] {
        ["PATH": "/usr/bin:/bin", "STRIPE_API_BASE": simulator.baseURL, "STRIPE_SECRET_KEY": Self.key, "STRIPE_METER_ID": meterID,
         "DATABASE_URL": "sqlite:\(database)", "REPORTS_DIR": reports.path, "LOG_LEVEL": "info"]
    }

    /// The command line of one `tally-reconcile` run over the benchmark's days.
    func reconcileCommand(_ executable: String) -> [String] {
        [executable, "--since", UTCCalendarText.day(since), "--until", UTCCalendarText.day(until)]
    }

    /// The customer-days the newest reconciliation run found a discrepancy on, as "cus_… YYYY-MM-DD".
    func foundCustomerDays() async throws -> Set<String> {
        let store = try await openStore(StoreConfiguration(location: .sqlite(.file(path: database))), logger: .init(label: "tally-bench"))
        var found = Set<String>()
        if let run = try await store.reconciliationRuns(jobRunID: nil).max(by: { $0.id < $1.id }) {
            for stored in try await store.discrepancies(reconciliationRunID: run.id) {
                guard let customer = stored.discrepancy.customerID else { continue }
                found.insert("\(customer) \(UTCCalendarText.day(stored.discrepancy.windowStart))")
            }
        }
        try await store.close()
        return found
    }

    /// The script `sqlite3` runs for the aggregate `tally-reconcile` reads before comparing: Tally's own
    /// daily-usage SQL over the benchmark's days, its output thrown away.
    func aggregateScript() -> String {
        let sql = UsageSQL(backend: .sqlite, usageQuery: UsageQuery.default(for: .sqlite)).dailyUsage
            .replacingOccurrences(of: "?1", with: String(Int64(since.timeIntervalSince1970)))
            .replacingOccurrences(of: "?2", with: String(Int64(until.timeIntervalSince1970)))
            .replacingOccurrences(of: "?3", with: String(Int64(Date().timeIntervalSince1970)))
            .replacingOccurrences(of: "?4", with: "0")
        return ".output /dev/null\n\(sql);\n"
    }
}
