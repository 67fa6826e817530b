import Foundation
import Logging
import TallyCLI
import TallyCore
import TallySandbox
import TallyTestKit

/// A planted world for reconciliation tests: a Stripe simulator on loopback with a meter, customers and
/// metered subscriptions, a sample app database holding the app's usage, and the job's context around
/// them (the composition root the executables use), on a manual clock. Stripe events are seeded straight into the simulator, as the app would
/// have sent them.
struct ReconcileScenario {
    static let key = "sk_test_tally"

    /// A customer in Stripe, optionally linked to a team of the app.
    struct Customer {
        var name: String
        var teamID: Int64?
    }

    var now: Date
    var formula: String = "sum"
    /// `hour` or `day` for a pre-aggregated meter.
    var eventTimeWindow: String?
    var customers: [Customer] = []
    /// Teams without a Stripe customer.
    var teamsWithoutCustomer: [Int64] = []
    var usage: [SampleUsage] = []
    /// Events in Stripe, by customer index: (tokens, timestamp).
    var stripeEvents: [(customer: Int, value: Int64, at: Date)] = []
    var environment: [String: String] = [:]

    init(now: Date) {
        self.now = now
    }

    /// What a scenario run gives a test to look at.
    struct World {
        var simulator: StripeSimulator
        var composition: JobComposition
        var customerIDs: [String]
        var meterID: String
        var reportsDirectory: URL
        var location: DatabaseLocation

        var store: any TallyStore { composition.store }

        /// The emails written to the outbox, parsed.
        func outbox() throws -> [ParsedEmail] {
            let directory = reportsDirectory.appendingPathComponent("outbox")
            let files = (try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)) ?? []
            return try files.filter { $0.pathExtension == "eml" }.map { try ParsedEmail.parse(Data(contentsOf: $0)) }
        }
    }

    /// Builds the world on `backend`, runs `body`, and tears everything down.
    func run<T: Sendable>(on backend: StoreBackendUnderTest = .sqlite, since: Date? = nil, until: Date? = nil,
                          dryRun: Bool = false, _ body: (World) async throws -> T) async throws -> T {
        let simulator = StripeSimulator(configuration: SimulatorConfiguration(apiKeys: [Self.key], startTime: now))
        try await simulator.start()
        defer { Task { [simulator] in try? await simulator.shutdown() } }
        let meter = try simulator.state.createMeter(displayName: "Tokens", eventName: "tokens", formula: formula,
                                                    eventTimeWindow: eventTimeWindow)
        let product = simulator.state.createProduct(name: "AI tokens")
        let price = try simulator.state.createPrice(product: product.id, unitAmount: 1, usageType: .metered, meter: meter.id)
        var customerIDs: [String] = []
        for customer in customers {
            let created = simulator.state.createCustomer(email: "billing@example.com", name: customer.name)
            try simulator.state.createSubscription(customer: created.id, items: [(price: price.id, quantity: nil)])
            customerIDs.append(created.id)
        }
        simulator.state.appendMeterEvents(stripeEvents.enumerated().map { index, event in
            SimulatedMeterEvent(identifier: "evt_\(index)", eventName: "tokens", customer: customerIDs[event.customer],
                                value: event.value, timestamp: Int64(event.at.timeIntervalSince1970))
        })

        var app = SampleApp(usage: usage)
        for (index, customer) in customers.enumerated() {
            if let team = customer.teamID {
                app.teams.append(SampleTeam(id: team, name: customer.name, stripeCustomerID: customerIDs[index]))
            }
        }
        for team in teamsWithoutCustomer { app.teams.append(SampleTeam(id: team, name: "Team \(team)", stripeCustomerID: nil)) }
        let reports = FileManager.default.temporaryDirectory.appendingPathComponent("tally-reconcile-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: reports) }

        var settings = [
            "STRIPE_SECRET_KEY": Self.key, "STRIPE_API_BASE": simulator.baseURL, "STRIPE_METER_ID": meter.id,
            "REPORTS_DIR": reports.path, "ALERT_EMAIL": "ops@example.com",
        ]
        settings.merge(environment) { $1 }
        let configuration = try await ConfigurationLoader.load(ConfigurationSources(environment: settings), requirements: [.meterIDs])
        let clock = ManualClock(now: now)
        let stripe = StripeClient(
            configuration: StripeClientConfiguration(apiKey: Secret(Self.key), apiBase: simulator.baseURL, maxRequestsPerSecond: 0),
            transport: CurlTransport(), clock: clock)
        let appToSeed = app
        return try await backend.withStore(usageQuery: environment["USAGE_QUERY"], prepare: { try await SampleAppDatabase.create(at: $0, app: appToSeed) }) { store, location in
            let runID = try await store.startRun(job: ReconcileJob.name, startedAt: now, arguments: "", dryRun: dryRun)
            let composition = JobComposition(
                configuration: configuration, store: store, stripe: stripe,
                logger: Logger(label: "tally.reconcile-test", factory: { _ in SwiftLogNoOpLogHandler() }), clock: clock,
                jobRun: JobRun(runID: runID, dryRun: dryRun, since: since, until: until))
            return try await body(World(simulator: simulator, composition: composition, customerIDs: customerIDs, meterID: meter.id,
                                        reportsDirectory: reports, location: location))
        }
    }
}

/// An instant from ISO 8601 text.
func instant(_ text: String) -> Date {
    guard let date = ISO8601DateFormatter().date(from: text) else { fatalError("bad test date \(text)") }
    return date
}
