import Foundation
import Testing
import TallyCore
import TallySandbox
import TallyTestKit

/// One world for a fault case: the simulator on loopback with a meter and three subscribed customers, an app
/// database (SQLite file or fresh PostgreSQL database) with yesterday's usage, and the real `tally-reconcile`
/// and `tally-retry` executables run against them the way cron runs them.
///
/// Yesterday each team has a row Stripe has under the app's identifier, two rows never reported, and one
/// acknowledged an hour ago that Stripe lost: a clean run sends the last three, once each.
struct FaultWorld: Sendable {
    static let key = "sk_test_tally"
    /// Every exit code a job may end with while Stripe fails: done, findings, unavailable, temporary.
    static let codesUnderFaults: Set<Int32> = [0, 1, 69, 75]

    let simulator: StripeSimulator
    let meterID: String
    let customerIDs: [String]
    let environment: [String: String]
    let range: [String]
    /// Each customer's usage values, as Stripe should count them after a clean run.
    let expected: [String: [Int64]]
    let reconcile: URL
    let retry: URL

    /// Builds the world on `backend`, runs `body`, and removes everything.
    static func run(on backend: StoreBackendUnderTest, _ body: (FaultWorld) async throws -> Void) async throws {
        let now = Date()
        let simulator = StripeSimulator(configuration: SimulatorConfiguration(apiKeys: [key], startTime: now))
        try await simulator.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-faults-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            let meter = try simulator.state.createMeter(displayName: "Tokens", eventName: "tokens")
            let product = simulator.state.createProduct(name: "AI tokens")
            let price = try simulator.state.createPrice(product: product.id, unitAmount: 1, usageType: .metered, meter: meter.id)
            let day = JobTimeRange.startOfUTCDay(now).addingTimeInterval(-86_400)
            var teams: [SampleTeam] = []
            var usage: [SampleUsage] = []
            var customerIDs: [String] = []
            var expected: [String: [Int64]] = [:]
            var seeded: [SimulatedMeterEvent] = []
            for team in Int64(1)...3 {
                let customer = simulator.state.createCustomer(name: "Team \(team)")
                try simulator.state.createSubscription(customer: customer.id, items: [(price: price.id, quantity: nil)])
                customerIDs.append(customer.id)
                teams.append(SampleTeam(id: team, name: "Team \(team)", stripeCustomerID: customer.id))
                let at = { (hour: Double) in day.addingTimeInterval(hour * 3_600 + Double(team) * 60) }
                let values: [Int64] = [100 * team + 1, 100 * team + 2, 100 * team + 3, 100 * team + 4]
                usage += [
                    SampleUsage(teamID: team, userID: nil, tokens: values[0], createdAt: at(1), meterEventIdentifier: "app_\(team)",
                                reportedAt: at(1)),
                    SampleUsage(teamID: team, userID: nil, tokens: values[1], createdAt: at(5)),
                    SampleUsage(teamID: team, userID: nil, tokens: values[2], createdAt: at(9)),
                    SampleUsage(teamID: team, userID: nil, tokens: values[3], createdAt: at(20),
                                reportedAt: now.addingTimeInterval(-3_600)),
                ]
                seeded.append(SimulatedMeterEvent(identifier: "app_\(team)", eventName: "tokens", customer: customer.id,
                                                  value: values[0], timestamp: Int64(at(1).timeIntervalSince1970)))
                expected[customer.id] = values
            }
            simulator.state.appendMeterEvents(seeded)
            let app = SampleApp(teams: teams, usage: usage)
            try await backend.withFreshDatabase { location in
                try await SampleAppDatabase.create(at: location, app: app)
                let databaseURL: String
                switch location {
                case .sqlite(.file(let path)): databaseURL = "sqlite:\(path)"
                case .postgres(let postgres): databaseURL = postgres.revealedURL
                default: throw FaultWorldError(message: "unexpected database location \(location)")
                }
                let dayText = String(ISO8601DateFormatter().string(from: day).prefix(10))
                let nextText = String(ISO8601DateFormatter().string(from: day.addingTimeInterval(86_400)).prefix(10))
                let world = FaultWorld(
                    simulator: simulator, meterID: meter.id, customerIDs: customerIDs,
                    environment: [
                        "STRIPE_SECRET_KEY": key, "STRIPE_API_BASE": simulator.baseURL, "STRIPE_METER_ID": meter.id,
                        "DATABASE_URL": databaseURL, "REPORTS_DIR": directory.appendingPathComponent("reports").path,
                        "ALERT_EMAIL": "ops@example.com", "STRIPE_MAX_ATTEMPTS": "4",
                    ],
                    range: ["--since", dayText, "--until", nextText], expected: expected,
                    reconcile: try JobProcess.builtExecutable("tally-reconcile"),
                    retry: try JobProcess.builtExecutable("tally-retry"))
                try await body(world)
            }
            try await simulator.shutdown()
        } catch {
            try? await simulator.shutdown()
            throw error
        }
    }

    /// Runs `tally-reconcile` over yesterday.
    func runReconcile(timeout: Duration = .seconds(120), onStart: @Sendable (Int32) async -> Void = { _ in }) async throws -> JobProcess.Result {
        try await JobProcess.run(reconcile, arguments: range, environment: environment, timeout: timeout, onStart: onStart)
    }

    /// Runs `tally-retry`.
    func runRetry(timeout: Duration = .seconds(120), onStart: @Sendable (Int32) async -> Void = { _ in }) async throws -> JobProcess.Result {
        try await JobProcess.run(retry, environment: environment, timeout: timeout, onStart: onStart)
    }

    /// Stripe's events of every customer (cancelled ones included: Tally never needs to cancel its own).
    var stripeEvents: [SimulatedMeterEvent] {
        customerIDs.flatMap { simulator.state.meterEvents(meterID: meterID, customer: $0) }
    }

    /// Nothing was sent twice: every identifier once, nothing Tally had to cancel.
    func expectNothingSentTwice(_ when: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let events = stripeEvents
        let identifiers = events.map(\.identifier)
        #expect(Set(identifiers).count == identifiers.count, "\(when): an identifier is in Stripe twice: \(identifiers.sorted())",
                sourceLocation: sourceLocation)
        #expect(events.allSatisfy { !$0.cancelled }, "\(when): Tally cancelled a duplicate it sent", sourceLocation: sourceLocation)
        for customer in customerIDs {
            let values = events.filter { $0.customer == customer }.map(\.value).sorted()
            // At most the app's usage, each value at most once: never more than a clean run would send.
            #expect(Set(values).isSubset(of: Set(expected[customer] ?? [])) && Set(values).count == values.count,
                    "\(when): \(customer) has \(values), the app \(expected[customer] ?? [])", sourceLocation: sourceLocation)
        }
    }

    /// Stripe holds exactly what a clean run leaves: each customer's usage, each row once.
    func expectCleanState(_ when: String, sourceLocation: SourceLocation = #_sourceLocation) {
        expectNothingSentTwice(when, sourceLocation: sourceLocation)
        for customer in customerIDs {
            let values = stripeEvents.filter { $0.customer == customer && !$0.cancelled }.map(\.value).sorted()
            #expect(values == expected[customer], "\(when): \(customer) has \(values), the app \(expected[customer] ?? [])",
                    sourceLocation: sourceLocation)
        }
    }

    /// A clean night after the faults: reconcile, retry, reconcile; the last finds nothing.
    func finishClean(_ label: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        simulator.cancelRequestHooks()
        simulator.setFaults(FaultPlan())
        let found = try await runReconcile()
        #expect([0, 1].contains(found.exitCode), "\(label): clean reconcile: \(found.stderr)", sourceLocation: sourceLocation)
        let repaired = try await runRetry()
        #expect(repaired.exitCode == 0, "\(label): clean retry: \(repaired.stderr)", sourceLocation: sourceLocation)
        let clean = try await runReconcile()
        #expect(clean.exitCode == 0, "\(label): the last reconcile still finds gaps: \(clean.stderr)", sourceLocation: sourceLocation)
        expectCleanState("\(label), after a clean night", sourceLocation: sourceLocation)
    }
}

struct FaultWorldError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
