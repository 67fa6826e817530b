import Foundation
import Logging
import Testing
import TallyCore
import TallySandbox
import TallyTestKit

/// Runs one scenario end to end: the simulator seeded with what the app sent, the app database in the
/// scenario's timestamp format, then the real `tally-reconcile`, `tally-retry` and `tally-reconcile`
/// executables over loopback; the oracle judges what they found and sent.
enum ScenarioHarness {
    static let key = "sk_test_tally"
    static let eventName = "scenario_tokens"

    /// Runs `knobs` and records one issue listing every failed expectation, with the seed and the replay
    /// command, when anything is wrong.
    static func check(_ knobs: ScenarioKnobs) async throws {
        let started = ContinuousClock.now
        let (plan, failures, notes) = try await run(knobs)
        let elapsed = ContinuousClock.now - started
        let verbose = ProcessInfo.processInfo.environment["TALLY_SCENARIO_VERBOSE"] != nil
        guard !failures.isEmpty || verbose else { return }
        let text = """
            scenario \(failures.isEmpty ? "passed" : "failed"): \(knobs)
              replay: \(knobs.replayCommand)
              planted: \(plan.plants.filter { $0.kind != .missingCustomer }.map(\.description).joined(separator: "; "))\(plan.plants.contains { $0.kind == .missingCustomer } ? "; missing-customer team-\(plan.teams.last!.id) every day" : "")
              not plantable here: \(plan.notPlanted.isEmpty ? "-" : plan.notPlanted.map(\.rawValue).joined(separator: ", "))
              now \(plan.now) (\(Date(timeIntervalSince1970: TimeInterval(plan.now)))), judged until \(Date(timeIntervalSince1970: TimeInterval(plan.judgedEnd))), \(plan.rows.count) rows, \(plan.events.count) Stripe events, ran \(elapsed)
              \(notes.joined(separator: "; "))
            \(failures.prefix(40).map { "  - " + $0 }.joined(separator: "\n"))\(failures.count > 40 ? "\n  … \(failures.count - 40) more" : "")
            """
        if failures.isEmpty {
            FileHandle.standardError.write(Data((text + "\n").utf8))
        } else {
            Issue.record(Comment(rawValue: text))
        }
    }

    /// The plan, the failed expectations (empty when the scenario passed) and what the jobs did.
    static func run(_ knobs: ScenarioKnobs) async throws -> (ScenarioPlan, [String], [String]) {
        let now = Int64(Date().timeIntervalSince1970)
        let plan = ScenarioGenerator.generate(knobs, now: now)
        let simulator = StripeSimulator(configuration: SimulatorConfiguration(
            apiKeys: [key], startTime: Date(timeIntervalSince1970: TimeInterval(now)),
            aggregationDelay: TimeInterval(knobs.aggregationDelay)))
        try await simulator.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-scenario-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            let (failures, notes) = try await knobs.backend.withFreshDatabase { location in
                try await run(plan, simulator: simulator, location: location, directory: directory)
            }
            try await simulator.shutdown()
            return (plan, failures, notes)
        } catch {
            try? await simulator.shutdown()
            throw error
        }
    }

    static func run(_ plan: ScenarioPlan, simulator: StripeSimulator, location: DatabaseLocation,
                    directory: URL) async throws -> ([String], [String]) {
        let knobs = plan.knobs
        // Stripe: the meter, one metered subscription per customer slot, the events the app sent.
        let state = simulator.state
        let meter = try state.createMeter(displayName: "Scenario tokens", eventName: eventName, formula: knobs.formula.rawValue,
                                          eventTimeWindow: knobs.window.eventTimeWindow)
        let product = state.createProduct(name: "Tokens")
        let price = try state.createPrice(product: product.id, unitAmount: 1, usageType: .metered, meter: meter.id)
        var customers: [String: String] = [:]
        for slot in 0..<plan.slots {
            let customer = state.createCustomer(email: "slot\(slot)@example.com", name: "Slot \(slot)")
            try state.createSubscription(customer: customer.id, items: [(price: price.id, quantity: nil)])
            customers["slot-\(slot)"] = customer.id
        }
        let stored = state.appendMeterEvents(plan.events.map {
            SimulatedMeterEvent(identifier: $0.identifier, eventName: eventName, customer: customers[$0.customerKey]!,
                                value: $0.value, timestamp: $0.timestamp, receivedAt: $0.receivedAt)
        })
        // What Stripe would hold had the app sent every billable row once (teams without a customer too).
        let ideal = StripeSimulator(configuration: SimulatorConfiguration(startTime: Date(timeIntervalSince1970: TimeInterval(plan.now))))
        let idealMeter = try ideal.state.createMeter(displayName: "Ideal", eventName: eventName, formula: knobs.formula.rawValue,
                                                     eventTimeWindow: knobs.window.eventTimeWindow)
        ideal.state.appendMeterEvents(plan.idealEvents.map {
            SimulatedMeterEvent(identifier: $0.identifier, eventName: eventName, customer: $0.customerKey, value: $0.value,
                                timestamp: $0.timestamp, receivedAt: $0.receivedAt)
        })
        var oracle = ScenarioOracle(plan: plan, simulator: simulator, meterID: meter.id, ideal: ideal,
                                    idealMeterID: idealMeter.id, customers: customers)
        if stored != plan.events.count { oracle.failures.append("oracle: the simulator stored \(stored) of \(plan.events.count) events") }
        oracle.snapshotBeforeJobs()

        // The app: its tables, times in the scenario's format.
        try await ScenarioDatabase.create(plan, customers: customers, at: location)
        let databaseURL: String = switch location {
        case .postgres(let postgres): postgres.revealedURL
        case .sqlite(.file(let path)): "sqlite:\(path)"
        case .sqlite(.memory): "sqlite::memory:"
        }
        let environment = [
            "STRIPE_SECRET_KEY": key, "STRIPE_API_BASE": simulator.baseURL, "STRIPE_METER_ID": meter.id,
            "STRIPE_MAX_RPS": "0", "DATABASE_URL": databaseURL, "REPORTS_DIR": directory.appendingPathComponent("reports").path,
            "ALERT_EMAIL": "ops@example.com", "RECONCILE_SETTLE_MINUTES": String(knobs.settleMinutes),
        ]
        let range = ["--since", ScenarioPlan.dayText(plan.since),
                     "--until", ScenarioPlan.dayText(ScenarioPlan.floor(plan.now, 86_400) + 86_400)]
        let reconcile = try JobProcess.builtExecutable("tally-reconcile")
        let retry = try JobProcess.builtExecutable("tally-retry")

        // 1. reconcile finds the planted gaps
        let first = try await JobProcess.run(reconcile, arguments: range, environment: environment, timeout: .seconds(240))
        // Exit 1 when a person must look or the gap passes RECONCILE_ALERT_RATIO; 0 when clean.
        oracle.expectExit(first, "first tally-reconcile", allowed: oracle.expectsHumanFindings ? [1] : oracle.expectsFindings ? [0, 1] : [0])
        let firstFindings = try await latestFindings(location)
        oracle.checkFirstReconcile(firstFindings)

        // 2. retry repairs what it may
        let before = simulator.requests.count
        let retried = try await JobProcess.run(retry, environment: environment, timeout: .seconds(240))
        oracle.expectExit(retried, "tally-retry", allowed: [0, 1])
        let sends = simulator.requests.dropFirst(before).filter { $0.method == "POST" && $0.path == "/v1/billing/meter_events" }
        oracle.checkRetry(Array(sends))

        // 3. once Stripe has aggregated everything, a second reconcile finds only what needs a person
        simulator.clock.advance(by: TimeInterval(knobs.aggregationDelay + 1))
        oracle.checkStripeAfterRetry()
        let second = try await JobProcess.run(reconcile, arguments: range, environment: environment, timeout: .seconds(240))
        oracle.expectExit(second, "second tally-reconcile", allowed: oracle.expectsHumanFindings ? [1] : [0])
        let secondFindings = try await latestFindings(location)
        oracle.checkSecondReconcile(secondFindings)
        func counted(_ findings: [Discrepancy]) -> String {
            "\(findings.count) findings (\(findings.filter { $0.repair == .retry }.count) for tally-retry), exit"
        }
        let notes = [
            "first reconcile: \(counted(firstFindings)) \(first.exitCode)",
            "retry: \(sends.filter { $0.status == 200 }.count) of \(sends.count) sends accepted, exit \(retried.exitCode)",
            "second reconcile: \(counted(secondFindings)) \(second.exitCode)",
        ]
        return (oracle.failures, notes)
    }

    /// The discrepancies of the newest reconciliation run, read through Tally's own store.
    static func latestFindings(_ location: DatabaseLocation) async throws -> [Discrepancy] {
        let store = try await openStore(StoreConfiguration(location: location, poolSize: 1), logger: Logger(label: "tally.scenario"))
        do {
            var findings: [Discrepancy] = []
            if let newest = try await store.reconciliationRuns(jobRunID: nil).first {
                findings = try await store.discrepancies(reconciliationRunID: newest.id).map(\.discrepancy)
            }
            try await store.close()
            return findings
        } catch {
            try? await store.close()
            throw error
        }
    }
}
