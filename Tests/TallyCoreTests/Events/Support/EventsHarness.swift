import Foundation
import Logging
import TallyCLI
import TallySandbox
import TallyTestKit
@testable import TallyCore

/// The simulator on a loopback port, the live Stripe client talking to it over HTTP, a fresh store and a
/// manual clock that starts at the simulator's time: what `EventsJob` runs against in these tests.
struct EventsHarness {
    static let key = "sk_test_tally"

    let simulator: StripeSimulator
    let client: StripeClient
    let store: any TallyStore
    /// Where the store is, for writing the app's own tables (`SampleAppDatabase.execute`).
    let location: DatabaseLocation
    let clock: ManualClock
    let configuration: TallyConfiguration

    /// `prepare` sets up the app's tables (a `SampleApp`) before the store opens.
    static func run(on backend: StoreBackendUnderTest, prepare: (DatabaseLocation) async throws -> Void = { _ in },
                    _ body: (EventsHarness) async throws -> Void) async throws {
        let simulator = StripeSimulator(configuration: SimulatorConfiguration(apiKeys: [key]))
        try await simulator.start()
        do {
            let clock = ManualClock(now: simulator.clock.now())
            let client = StripeClient(
                configuration: StripeClientConfiguration(apiKey: Secret(key), apiBase: simulator.baseURL,
                                                         maxRequestsPerSecond: 0, maxAttempts: 2),
                transport: CurlTransport(), clock: clock)
            // An env file of its own, so a developer's /etc/tally/tally.env never changes what the tests see.
            let environmentFile = FileManager.default.temporaryDirectory.appendingPathComponent("tally-events-\(UUID().uuidString).env")
            try Data("# tally-events tests\n".utf8).write(to: environmentFile)
            defer { try? FileManager.default.removeItem(at: environmentFile) }
            let configuration = try await ConfigurationLoader.load(ConfigurationSources(
                environmentFile: environmentFile.path,
                environment: ["STRIPE_SECRET_KEY": key, "STRIPE_API_BASE": simulator.baseURL, "ALERT_EMAIL": "ops@example.com",
                              "REPORTS_DIR": environmentFile.deletingPathExtension().path + "-reports"]))
            defer { try? FileManager.default.removeItem(at: configuration.output.reportsDirectory) }
            try await backend.withStore(prepare: prepare) { store, location in
                try await body(EventsHarness(simulator: simulator, client: client, store: store, location: location, clock: clock,
                                             configuration: configuration))
            }
        } catch {
            try await simulator.shutdown()
            throw error
        }
        try await simulator.shutdown()
    }

    /// The alert emails written to the outbox so far, parsed.
    func sentAlerts() throws -> [ParsedEmail] {
        let outbox = configuration.output.outboxDirectory
        guard FileManager.default.fileExists(atPath: outbox.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(at: outbox, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "eml" }
            .map { try ParsedEmail.parse(Data(contentsOf: $0)) }
    }

    /// The parts the job's shell would compose, on this harness.
    func composition(dryRun: Bool = false, since: Date? = nil, interrupt: InterruptFlag = InterruptFlag(),
                     runID: Int64 = 1) -> JobComposition {
        JobComposition(configuration: configuration, store: store, stripe: client, logger: Logger(label: "tally.events-test"),
                       clock: clock, interrupt: interrupt, jobRun: JobRun(runID: runID, dryRun: dryRun, since: since))
    }

    /// One `tally-events` run.
    func catchUp(dryRun: Bool = false, since: Date? = nil) async throws -> EventCatchUpSummary {
        try await composition(dryRun: dryRun, since: since).eventsJob().catchUp()
    }

    /// Moves Stripe's time and Tally's together (Stripe bills the periods that end on the way).
    func advance(by seconds: TimeInterval) {
        simulator.clock.advance(by: seconds)
        clock.advance(by: seconds)
    }

    /// A customer with a seat price and a metered token price, on one product, billed daily (so a renewal
    /// comes well within Stripe's 30 days of events).
    func catalog() throws -> (customer: String, product: String, seats: String, tokens: String) {
        let customer = simulator.state.createCustomer(email: "owner@example.com")
        let product = simulator.state.createProduct(name: "Pro")
        let meter = try simulator.state.createMeter(displayName: "Tokens", eventName: "tokens")
        let seats = try simulator.state.createPrice(product: product.id, unitAmount: 2_000, interval: "day")
        let tokens = try simulator.state.createPrice(product: product.id, unitAmount: 1, interval: "day",
                                                     usageType: .metered, meter: meter.id)
        return (customer.id, product.id, seats.id, tokens.id)
    }

    /// Answers the next `GET /v1/events` with exactly these events (as Stripe would list them).
    func scriptEvents(_ events: [[String: Any]]) throws {
        let list: [String: Any] = ["object": "list", "url": "/v1/events", "has_more": false, "data": events]
        let body = String(decoding: try JSONSerialization.data(withJSONObject: list), as: UTF8.self)
        simulator.enqueueScriptedResponse(ScriptedResponse(method: "GET", pathPrefix: "/v1/events", status: 200, body: body))
    }
}
