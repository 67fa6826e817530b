import Foundation
import Logging
import Synchronization
import Testing
import TallyCore
import TallySandbox
import TallyTestKit

/// Issue 12: the Stripe side of a reconciliation starts at once and the app's aggregate runs alongside it;
/// names and meters cost no call per customer.
@Suite("tally-reconcile pipelines its Stripe calls and wastes none")
struct ReconcilePipelineTests {
    static let now = instant("2026-11-25T03:00:00Z")

    /// Three customers; Beta's 14:00 usage never reached Stripe.
    static var scenario: ReconcileScenario {
        var scenario = ReconcileScenario(now: now)
        scenario.customers = [.init(name: "Acme", teamID: 1), .init(name: "Beta", teamID: 2), .init(name: "Cobalt", teamID: 3)]
        scenario.usage = [
            SampleUsage(teamID: 1, userID: nil, tokens: 100, createdAt: instant("2026-11-24T10:00:00Z"), reportedAt: instant("2026-11-24T10:00:05Z")),
            SampleUsage(teamID: 2, userID: nil, tokens: 40, createdAt: instant("2026-11-24T14:00:00Z")),
            SampleUsage(teamID: 3, userID: nil, tokens: 9, createdAt: instant("2026-11-23T08:00:00Z"), reportedAt: instant("2026-11-23T08:00:05Z")),
        ]
        scenario.stripeEvents = [(0, 100, instant("2026-11-24T10:00:00Z")), (2, 9, instant("2026-11-23T08:00:00Z"))]
        return scenario
    }

    // A job that read the app's aggregate before asking Stripe anything would wait here forever: the
    // aggregate only returns once a summary has been asked for. The time limit turns that into a failure.
    @Test("Stripe's summaries are asked for while the app's aggregate is still running",
          .timeLimit(.minutes(1)), arguments: StoreBackendUnderTest.all)
    func summariesStartBeforeTheAggregateEnds(backend: StoreBackendUnderTest) async throws {
        try await Self.scenario.run(on: backend) { world in
            // Given an aggregate that cannot finish until Stripe is asked for a summary
            let gate = Gate()
            let store = GatedUsageStore(base: world.store, gate: gate)
            let stripe = SummaryWatchingStripe(base: world.composition.stripe, gate: gate)
            let composition = world.composition
            let job = ReconcileJob(store: store, stripe: stripe, mailer: composition.mailer, logger: composition.logger,
                                   clock: composition.clock, interrupt: composition.interrupt, jobRun: composition.jobRun,
                                   settings: composition.configuration.reconcileSettings)

            // When the job reconciles
            let outcome = try await job.reconcile()

            // Then it got there, and found Beta's gap as a sequential job would have
            #expect(gate.isOpen)
            let found = outcome.discrepancies.map { "\($0.kind.rawValue) \($0.customerID ?? "-") \($0.difference)" }
            #expect(found == ["unreported \(world.customerIDs[1]) 40"])
            #expect(outcome.meters.first?.customers == 3)
        }
    }

    @Test("a night with findings asks for each meter once and names customers without one call each")
    func noCallPerCustomerForNames() async throws {
        // Four customers with findings: one page of the customer list names them all.
        try await ReconcileJobTests.planted.run { world in
            // When the job runs and emails its findings
            _ = try await world.composition.reconcileJob().run()

            // Then the meter was fetched once, and the names came from one page of the customer list
            let calls = world.simulator.requests.filter { $0.method == "GET" }.map(\.path)
            #expect(calls.filter { $0 == "/v1/billing/meters/\(world.meterID)" }.count == 1)
            #expect(calls.filter { $0.hasPrefix("/v1/customers/") }.isEmpty, "\(calls)")
            #expect(calls.filter { $0 == "/v1/customers" }.count == 1)
            let email = try #require(try world.outbox().first)
            #expect(email.text?.contains("Ghost Ltd") == true)
            #expect(email.text?.contains("Tokens") == true)
        }
    }
}

extension ReconcilePipelineTests {
    @Test("the gaps of many customers are pinned with one read of the app's rows, not one read each",
          arguments: StoreBackendUnderTest.all)
    func oneReadForManyGaps(backend: StoreBackendUnderTest) async throws {
        // Given three customers whose usage of the 24th never reached Stripe
        var scenario = ReconcileScenario(now: Self.now)
        scenario.customers = [.init(name: "Acme", teamID: 1), .init(name: "Beta", teamID: 2), .init(name: "Cobalt", teamID: 3)]
        scenario.usage = (1...3).flatMap { team in
            [SampleUsage(teamID: Int64(team), userID: nil, tokens: 10 * Int64(team), createdAt: instant("2026-11-24T0\(team):15:00Z")),
             SampleUsage(teamID: Int64(team), userID: nil, tokens: 5, createdAt: instant("2026-11-22T12:00:00Z"), reportedAt: instant("2026-11-22T12:00:05Z"))]
        }
        scenario.stripeEvents = (0..<3).map { ($0, 5, instant("2026-11-22T12:00:00Z")) }
        try await scenario.run(on: backend) { world in
            let store = GatedUsageStore(base: world.store)
            let composition = world.composition
            let job = ReconcileJob(store: store, stripe: composition.stripe, mailer: composition.mailer, logger: composition.logger,
                                   clock: composition.clock, interrupt: composition.interrupt, jobRun: composition.jobRun,
                                   settings: composition.configuration.reconcileSettings)

            // When the job reconciles
            let outcome = try await job.reconcile()

            // Then each gap is pinned to its own hour, from one read of the three customers' rows
            let found = outcome.discrepancies.map { "\($0.customerID ?? "-") \($0.difference) \(UTCCalendarText.day($0.windowStart))" }.sorted()
            #expect(found == (0..<3).map { "\(world.customerIDs[$0]) \(10 * ($0 + 1)) 2026-11-24" }.sorted())
            #expect(outcome.discrepancies.allSatisfy { $0.windowEnd.timeIntervalSince($0.windowStart) <= 3_600 })
            #expect(store.rowReads.withLock { $0 } == ["3 customers"])
        }
    }
}

/// Opens once; `wait` returns when it has opened (or the waiting task is cancelled).
final class Gate: Sendable {
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation
    private let opened = Mutex(false)

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: Void.self)
    }

    var isOpen: Bool { opened.withLock { $0 } }

    func open() {
        opened.withLock { $0 = true }
        continuation.finish()
    }

    /// One waiter at a time (an `AsyncStream` has one consumer).
    func wait() async {
        for await _ in stream {}
    }
}

/// Passes every call to Stripe, opening `gate` at the first meter event summary asked for.
struct SummaryWatchingStripe: StripeAPI {
    var base: any StripeAPI
    var gate: Gate

    func send(_ request: StripeRequest) async throws -> StripeResponse {
        if request.path.hasSuffix("/event_summaries") { gate.open() }
        return try await base.send(request)
    }
}

/// The real store, except that the aggregate over the judged range returns only once `gate` is open (when
/// there is one); counts the reads of individual rows.
final class GatedUsageStore: ReconcileJob.Store {
    let base: any TallyStore
    let gate: Gate?
    /// "one customer" or "N customers", per read of rows.
    let rowReads = Mutex<[String]>([])

    init(base: any TallyStore, gate: Gate? = nil) {
        self.base = base
        self.gate = gate
    }

    func dailyUsage(from start: Date, to end: Date, now: Date, includingUnreadable: Bool) async throws -> UsageAggregate {
        if !includingUnreadable { await gate?.wait() }
        return try await base.dailyUsage(from: start, to: end, now: now, includingUnreadable: includingUnreadable)
    }

    func usageRows(from start: Date, to end: Date, customer: String?) async throws -> [UsageRow] {
        rowReads.withLock { $0.append("one customer") }
        return try await base.usageRows(from: start, to: end, customer: customer)
    }

    func usageRows(from start: Date, to end: Date, customers: [String]) async throws -> [UsageRow] {
        rowReads.withLock { $0.append("\(customers.count) customers") }
        return try await base.usageRows(from: start, to: end, customers: customers)
    }

    func checkUsageColumns() async throws { try await base.checkUsageColumns() }

    func saveReconciliation(_ reconciliation: MeterReconciliation, jobRunID: Int64?, createdAt: Date) async throws -> Int64 {
        try await base.saveReconciliation(reconciliation, jobRunID: jobRunID, createdAt: createdAt)
    }

    func reconciliationRuns(jobRunID: Int64?) async throws -> [StoredReconciliationRun] {
        try await base.reconciliationRuns(jobRunID: jobRunID)
    }

    func discrepancies(reconciliationRunID: Int64) async throws -> [StoredDiscrepancy] {
        try await base.discrepancies(reconciliationRunID: reconciliationRunID)
    }

    func reconciliationWindows(reconciliationRunID: Int64) async throws -> [ReconciliationWindow] {
        try await base.reconciliationWindows(reconciliationRunID: reconciliationRunID)
    }

    func customersWithUsage(among customerIDs: [String]) async throws -> Set<String> {
        try await base.customersWithUsage(among: customerIDs)
    }

    func announcedProblems() async throws -> [AnnouncedProblem] { try await base.announcedProblems() }

    func replaceAnnouncedProblems(_ problems: [AnnouncedProblem]) async throws {
        try await base.replaceAnnouncedProblems(problems)
    }

    func teams() async throws -> [TeamRecord] { try await base.teams() }

    func customerNames(among ids: [String]) async throws -> [String: String] { try await base.customerNames(among: ids) }

    func knownInvoices(customerIDs: [String], from start: Date, to end: Date) async throws -> [KnownInvoice] {
        try await base.knownInvoices(customerIDs: customerIDs, from: start, to: end)
    }
}
