import Foundation
import Testing
import TallyCore
import TallySandbox
import TallyTestKit

/// The real `tally-reconcile` and `tally-retry` executables, one after the other, against the simulator on
/// loopback and a SQLite sample app database: the gaps reconcile finds, retry repairs.
@Suite("tally-retry executable")
struct RetryExecutableTests {
    static let key = "sk_test_tally"

    @Test("tally-retry after tally-reconcile sends the missing rows once; the next reconcile exits 0")
    func retryAfterReconcile() async throws {
        let now = Date()
        let simulator = StripeSimulator(configuration: SimulatorConfiguration(apiKeys: [Self.key], startTime: now))
        try await simulator.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-retry-it-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            let meter = try simulator.state.createMeter(displayName: "Tokens", eventName: "tokens")
            let product = simulator.state.createProduct(name: "AI tokens")
            let price = try simulator.state.createPrice(product: product.id, unitAmount: 1, usageType: .metered, meter: meter.id)
            let customer = simulator.state.createCustomer(name: "Acme")
            try simulator.state.createSubscription(customer: customer.id, items: [(price: price.id, quantity: nil)])

            // Yesterday: three rows; Stripe has the first, the second was never reported, the third was
            // acknowledged an hour ago (a late acknowledgement) yet lost.
            let day = JobTimeRange.startOfUTCDay(now).addingTimeInterval(-86_400)
            let times = [day.addingTimeInterval(3_600), day.addingTimeInterval(7_200), day.addingTimeInterval(20 * 3_600)]
            let usage = [
                SampleUsage(teamID: 1, userID: nil, tokens: 100, createdAt: times[0], meterEventIdentifier: "app_1", reportedAt: times[0]),
                SampleUsage(teamID: 1, userID: nil, tokens: 40, createdAt: times[1]),
                SampleUsage(teamID: 1, userID: nil, tokens: 7, createdAt: times[2], reportedAt: now.addingTimeInterval(-3_600)),
            ]
            simulator.state.appendMeterEvents([SimulatedMeterEvent(identifier: "app_1", eventName: "tokens", customer: customer.id,
                                                                   value: 100, timestamp: Int64(times[0].timeIntervalSince1970))])
            let database = directory.appendingPathComponent("app.sqlite").path
            try await SampleAppDatabase.create(at: .sqlite(.file(path: database)), app: SampleApp(
                teams: [SampleTeam(id: 1, name: "Acme", stripeCustomerID: customer.id)], usage: usage))
            let environment = [
                "STRIPE_SECRET_KEY": Self.key, "STRIPE_API_BASE": simulator.baseURL, "STRIPE_METER_ID": meter.id,
                "DATABASE_URL": "sqlite:\(database)", "REPORTS_DIR": directory.appendingPathComponent("reports").path,
                "ALERT_EMAIL": "ops@example.com",
            ]
            let dayText = String(ISO8601DateFormatter().string(from: day).prefix(10))
            let range = ["--since", dayText, "--until", String(ISO8601DateFormatter().string(from: day.addingTimeInterval(86_400)).prefix(10))]
            let reconcile = try JobProcess.builtExecutable("tally-reconcile")
            let retry = try JobProcess.builtExecutable("tally-retry")

            // Given reconcile finds the two gaps (a third of the usage: over the alert ratio, so it exits 1)
            let found = try await JobProcess.run(reconcile, arguments: range, environment: environment)
            #expect(found.exitCode == 1, "\(found.stderr)")
            #expect(found.stderr.contains("2 for tally-retry"), "\(found.stderr)")

            // When tally-retry runs, twice
            let first = try await JobProcess.run(retry, environment: environment)
            let second = try await JobProcess.run(retry, environment: environment)

            // Then Stripe has each row once and a new reconciliation is clean
            #expect(first.exitCode == 0, "\(first.stderr)")
            #expect(second.exitCode == 0, "\(second.stderr)")
            let events = simulator.state.meterEvents(meterID: meter.id, customer: customer.id)
            #expect(events.map(\.value).sorted() == [7, 40, 100])
            let clean = try await JobProcess.run(reconcile, arguments: range, environment: environment)
            #expect(clean.exitCode == 0, "\(clean.stderr)")
            let today = String(ISO8601DateFormatter().string(from: now).prefix(10))
            let csv = try String(contentsOf: directory.appendingPathComponent("reports/\(today)/retry.csv"), encoding: .utf8)
            #expect(csv.hasPrefix("Usage Row ID,Identifier,Customer ID,Value (Tokens),Event Time (UTC),Outcome,Detail"))
            try await simulator.shutdown()
        } catch {
            try? await simulator.shutdown()
            throw error
        }
    }
}
