import Foundation
import Testing
import TallyCore
import TallySandbox
import TallyTestKit

/// The real `tally-retry` against the simulator with a live key: meter events go on their own bucket, so a
/// tight general ceiling (`STRIPE_MAX_RPS=1`) does not hold them back.
///
/// The proof counts instead of timing: held to the general bucket (its burst, 1 with this ceiling and 5 in
/// Tally's older fixed-burst limiter, then 1 a second), no more than 6 + 1 × (the seconds from the first meter
/// event to the last) of them could have arrived, one of the 6 being slack for arrivals bunched on the way.
/// A loaded machine only stretches that span, which raises the bound by one per second, while the meter
/// events sent stay at 100: the test fails only if they take longer than 94 s, which is what the general
/// bucket would force.
@Suite("tally-retry: meter events on their own bucket")
struct MeterEventBudgetTests {
    static let key = "sk_live_tallyintegration0000"
    static let rows = 100

    @Test("with STRIPE_MAX_RPS=1, 100 meter events go through in less than the general bucket could allow, with no 429")
    func meterEventsAreNotHeldToTheGeneralRate() async throws {
        let now = Date()
        // The simulator enforces Stripe-shaped limits: a general one of 2/s (above the client's ceiling of 1)
        // and the live meter-event one of 1,000/s.
        let simulator = StripeSimulator(configuration: SimulatorConfiguration(
            apiKeys: [Self.key], startTime: now, faults: FaultPlan(rateLimit: 2)))
        try await simulator.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-budget-it-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            // Given one subscribed customer with 100 settled rows Stripe has never seen
            let meter = try simulator.state.createMeter(displayName: "Tokens", eventName: "tokens")
            let product = simulator.state.createProduct(name: "AI tokens")
            let price = try simulator.state.createPrice(product: product.id, unitAmount: 1, usageType: .metered, meter: meter.id)
            let customer = simulator.state.createCustomer(name: "Acme")
            try simulator.state.createSubscription(customer: customer.id, items: [(price: price.id, quantity: nil)])
            let usage = (0..<Self.rows).map { index in
                SampleUsage(teamID: 1, userID: nil, tokens: Int64(index + 1),
                            createdAt: now.addingTimeInterval(-3 * 3_600 - Double(index) * 30))
            }
            let database = directory.appendingPathComponent("app.sqlite").path
            try await SampleAppDatabase.create(at: .sqlite(.file(path: database)), app: SampleApp(
                teams: [SampleTeam(id: 1, name: "Acme", stripeCustomerID: customer.id)], usage: usage))

            // When tally-retry runs with its general bucket capped at 1 call a second
            let result = try await JobProcess.run(try JobProcess.builtExecutable("tally-retry"), environment: [
                "STRIPE_SECRET_KEY": Self.key, "STRIPE_API_BASE": simulator.baseURL, "STRIPE_METER_ID": meter.id,
                "STRIPE_MAX_RPS": "1", "DATABASE_URL": "sqlite:\(database)",
                "REPORTS_DIR": directory.appendingPathComponent("reports").path, "ALERT_EMAIL": "ops@example.com",
            ])

            // Then every row reached Stripe once and no call was refused
            #expect(result.exitCode == 0, "\(result.stderr)")
            #expect(simulator.state.meterEvents(meterID: meter.id, customer: customer.id).count == Self.rows)
            let requests = simulator.requests
            #expect(requests.filter { $0.status == 429 }.isEmpty)
            let meterEvents = requests.filter { $0.path == "/v1/billing/meter_events" }
            let general = requests.filter { $0.path != "/v1/billing/meter_events" }
            #expect(meterEvents.count == Self.rows)
            #expect(!general.isEmpty)
            // And more meter events went than the general bucket could have granted while they were being sent
            // (a burst of at most 5, one more a second, and one call's slack for arrivals bunched on the way)
            let arrivals = meterEvents.map(\.arrivedAt)
            let span = try #require(arrivals.max()).timeIntervalSince(try #require(arrivals.min()))
            let generalBound = 6 + 1 * span
            #expect(Double(meterEvents.count) > generalBound,
                    "\(meterEvents.count) meter events in \(span) s: no more than the general bucket would allow")
            try await simulator.shutdown()
        } catch {
            try? await simulator.shutdown()
            throw error
        }
    }
}
