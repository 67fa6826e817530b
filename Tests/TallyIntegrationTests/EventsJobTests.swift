import Foundation
import Logging
import Testing
import TallyCore
import TallySandbox
import TallyTestKit

/// The real `tally-events` executable, as cron runs it, against the simulator on loopback and a SQLite file.
@Suite("tally-events as a process")
struct EventsJobTests {
    static let key = "sk_test_tally"

    @Test("stores and processes Stripe's events, and a second run stores nothing new")
    func runsTwice() async throws {
        let executable = try JobProcess.builtExecutable("tally-events")
        // The job reads the wall clock, so Stripe's objects are made a few minutes before now.
        let simulator = StripeSimulator(configuration: SimulatorConfiguration(
            apiKeys: [Self.key], startTime: Date().addingTimeInterval(-600)))
        try await simulator.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-events-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            // Given a customer with a seat subscription and a metered one
            let customer = simulator.state.createCustomer(email: "owner@example.com")
            let product = simulator.state.createProduct(name: "Pro")
            let meter = try simulator.state.createMeter(displayName: "Tokens", eventName: "tokens")
            let seats = try simulator.state.createPrice(product: product.id, unitAmount: 2_000)
            let tokens = try simulator.state.createPrice(product: product.id, unitAmount: 1, usageType: .metered, meter: meter.id)
            let subscription = try simulator.state.createSubscription(customer: customer.id, items: [(seats.id, 4), (tokens.id, nil)])
            let database = directory.appendingPathComponent("tally.sqlite").path
            try await SampleAppDatabase.create(at: .sqlite(.file(path: database)))
            let environment = [
                "STRIPE_SECRET_KEY": Self.key, "STRIPE_API_BASE": simulator.baseURL, "DATABASE_URL": "sqlite:\(database)",
                "REPORTS_DIR": directory.appendingPathComponent("reports").path, "HOME": directory.path,
            ]

            // When tally-events runs twice
            let first = try await JobProcess.run(executable, environment: environment, currentDirectory: directory)
            let second = try await JobProcess.run(executable, environment: environment, currentDirectory: directory)

            // Then both exit 0; the first stored the subscription's items, the second nothing new
            #expect(first.exitCode == 0, "stderr: \(first.stderr)")
            #expect(second.exitCode == 0, "stderr: \(second.stderr)")
            #expect(!first.timedOut && !second.timedOut)
            #expect(!(first.stdout + first.stderr).contains(Self.key))
            let store = try await openStore(StoreConfiguration(location: .sqlite(.file(path: database))),
                                            logger: Logger(label: "tally.events-job-test"))
            let items = try await store.subscriptionItems(subscriptionID: subscription.id)
            let queue = try await store.stripeEventQueue(status: nil)
            let runs = try await store.recentRuns(job: "events", limit: 5)
            try await store.close()
            #expect(Set(items.map(\.priceID)) == [seats.id, tokens.id])
            #expect(items.first { $0.priceID == seats.id }?.quantity == 4)
            #expect(queue.count == 1 && queue.allSatisfy { $0.status == .done })
            #expect(runs.map(\.status) == [.succeeded, .succeeded])
            #expect(runs.first?.outcome?.summary.contains(", 0 new;") == true)
            #expect(runs.last?.outcome?.summary.contains(", 1 new;") == true)
            // And the first run, with no listing recorded, listed every subscription; the second did not need to
            #expect(runs.last?.outcome?.summary.contains("listed 1 subscriptions (first run)") == true)
            #expect(runs.first?.outcome?.summary.contains("subscriptions last listed") == true)
        } catch {
            try await simulator.shutdown()
            throw error
        }
        try await simulator.shutdown()
    }
}
