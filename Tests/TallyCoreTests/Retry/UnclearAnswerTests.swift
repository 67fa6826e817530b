import Foundation
import Testing
import TallyCore
import TallySandbox
import TallyTestKit

/// `tally-retry` when Stripe's answer to a meter event says nothing certain: a 500 (before or after Stripe
/// applied the event), a lost answer, a 200 Tally cannot read. Such a send is `unconfirmed`, never `sent`,
/// and the next run settles it from Stripe's summaries, re-sending under a new Idempotency-Key.
@Suite("tally-retry settles unclear answers from Stripe's summaries")
struct UnclearAnswerTests {
    static let now = instant("2026-11-25T03:00:00Z")
    static let rowTime = instant("2026-11-24T10:30:00Z")

    /// Acme has one row of 50 tokens Stripe never received.
    static var oneUnreported: ReconcileScenario {
        var scenario = ReconcileScenario(now: now)
        scenario.customers = [.init(name: "Acme", teamID: 1)]
        scenario.usage = [SampleUsage(teamID: 1, userID: nil, tokens: 50, createdAt: rowTime)]
        return scenario
    }

    func identifier(_ world: ReconcileScenario.World) async throws -> String {
        let rows = try await world.store.usageRows(from: Self.rowTime, to: Self.rowTime.addingTimeInterval(60), customer: nil)
        return MeterEventIdentifier.forRow(try #require(rows.first))
    }

    func delivery(_ world: ReconcileScenario.World) async throws -> MeterEventDelivery {
        try #require(try await world.store.deliveries(identifiers: [try await identifier(world)]).first)
    }

    @Test("one 500 no longer wedges a row: Stripe replays it under the old key, so the next run sends under a new one")
    func fiveHundredDoesNotWedge() async throws {
        try await Self.oneUnreported.run { world in
            // Given every attempt of the first run's send is answered 500 before Stripe processes it
            let failing = FaultsAroundMeterEvents(world.composition.stripe, simulator: world.simulator, plan: FaultPlan(errorRate: 1))
            let first = try await world.retry(at: Self.now, stripe: failing)
            let unclear = try await delivery(world)
            #expect(unclear.status == .unconfirmed && unclear.attempts == 1, "\(unclear)")
            #expect(first.summary.contains("0 sent") && first.summary.contains("1 unconfirmed"), "\(first.summary)")

            // When the next run finds the row still missing from Stripe's summaries
            let second = try await world.retry(at: Self.now.addingTimeInterval(3_600))

            // Then it is sent under a new Idempotency-Key with the same identifier, and Stripe counts it once
            let sent = try await delivery(world)
            #expect(sent.status == .sent && sent.attempts == 2, "\(sent)")
            #expect(sent.idempotencyKey == "tally-retry-\(sent.identifier)-2")
            let keys = world.simulator.requests.filter { $0.path == "/v1/billing/meter_events" }.compactMap { $0.header("Idempotency-Key") }
            #expect(keys.first == "tally-retry-\(sent.identifier)-1" && keys.last == "tally-retry-\(sent.identifier)-2", "\(keys)")
            #expect(world.stripeEvents(customer: 0).map(\.value) == [50])
            #expect(second.summary.contains("1 sent"), "\(second.summary)")
        }
    }

    @Test("within one run, each retry after a 500 goes out under a new key, so a 500 Stripe stored is not replayed")
    func inRunRetriesTakeNewKeys() async throws {
        try await Self.oneUnreported.run { world in
            // Given Stripe's first answer to the send is a 500 after applying it, and the retry is clean
            let once = FaultsAroundMeterEvents(world.composition.stripe, simulator: world.simulator,
                                               plan: FaultPlan(errorAfterApplyRate: 1, faultyRequests: 1))
            let report = try await world.retry(at: Self.now, stripe: once)

            // Then the client's second attempt, under `<key>.2`, learns Stripe already has the identifier
            let settled = try await delivery(world)
            #expect(settled.status == .sent && settled.lastError == "Stripe already had this identifier", "\(settled)")
            let keys = world.simulator.requests.filter { $0.path == "/v1/billing/meter_events" }.compactMap { $0.header("Idempotency-Key") }
            #expect(keys == ["tally-retry-\(settled.identifier)-1", "tally-retry-\(settled.identifier)-1.2"])
            #expect(world.stripeEvents(customer: 0).map(\.value) == [50])
            #expect(report.exitStatus == .ok, "\(report.summary)")
        }
    }

    @Test("a 500 after Stripe applied the event, under a reconciliation a day old, is settled from the summaries, never a false needs-a-human")
    func appliedFiveHundredSettles() async throws {
        try await Self.oneUnreported.run { world in
            // Given a reconciliation named the row, and the send reached Stripe but its answer was a 500
            let found = try await world.reconcile(at: Self.now)
            #expect(found.map(\.kind) == [.unreported])
            let fiveHundred = StripeError(code: .server, endpoint: "POST /v1/billing/meter_events", httpStatus: 500,
                                          message: "Stripe failed POST /v1/billing/meter_events (500)")
            _ = try await world.retry(at: Self.now.addingTimeInterval(600),
                                      stripe: DisruptingStripe(world.composition.stripe, loseAnswerOf: 1, failure: fiveHundred))
            #expect(try await delivery(world).status == .unconfirmed)

            // When retry runs again 25 hours later, with no newer reconciliation
            let later = try await world.retry(at: Self.now.addingTimeInterval(25 * 3_600))

            // Then Stripe's summaries confirm the row: it is sent, counted once, and no person is asked to look
            let settled = try await delivery(world)
            #expect(settled.status == .sent && settled.attempts == 1, "\(settled)")
            #expect(world.stripeEvents(customer: 0).map(\.value) == [50])
            #expect(later.exitStatus == .ok && later.summary.contains("0 need a human"), "\(later.summary)")
        }
    }

    @Test("a run killed after Stripe applied its send, before storing the answer, is settled from the summaries a day later, never sent again")
    func killedAfterApplySettles() async throws {
        try await Self.oneUnreported.run { world in
            // Given a reconciliation named the row, and the retry was killed once Stripe had the event
            _ = try await world.reconcile(at: Self.now)
            await #expect(throws: CancellationError.self) {
                try await world.retry(at: Self.now.addingTimeInterval(600),
                                      stripe: DisruptingStripe(world.composition.stripe, loseAnswerOf: 1, failure: CancellationError()))
            }
            #expect(try await delivery(world).status == .pending)

            // When retry runs again 25 hours later, when Stripe no longer remembers the key or the identifier
            let later = try await world.retry(at: Self.now.addingTimeInterval(25 * 3_600))

            // Then Stripe's summaries settle the delivery: no second send, nothing for a person
            #expect(try await delivery(world).status == .sent)
            #expect(world.simulator.requests.filter { $0.path == "/v1/billing/meter_events" }.count == 1)
            #expect(world.stripeEvents(customer: 0).map(\.value) == [50])
            #expect(later.exitStatus == .ok, "\(later.summary)")
        }
    }

    @Test("a 200 Tally cannot read is unconfirmed, never sent; the next run finds the row missing and sends it")
    func unreadableTwoHundredIsNotSent() async throws {
        try await Self.oneUnreported.run { world in
            // Given Stripe's answer to the send is a 200 with an empty body (and the event never arrived)
            world.simulator.enqueueScriptedResponse(ScriptedResponse(method: "POST", pathPrefix: "/v1/billing/meter_events",
                                                                     status: 200, body: ""))
            let first = try await world.retry(at: Self.now)
            let unclear = try await delivery(world)
            #expect(unclear.status == .unconfirmed, "\(unclear)")
            #expect(first.summary.contains("0 sent"), "\(first.summary)")

            // When the next run checks Stripe's summaries
            let second = try await world.retry(at: Self.now.addingTimeInterval(3_600))

            // Then the gap is closed: the row is sent once
            #expect(try await delivery(world).status == .sent)
            #expect(world.stripeEvents(customer: 0).map(\.value) == [50])
            #expect(second.summary.contains("1 sent"), "\(second.summary)")
        }
    }

    @Test("a 200 cut short after Stripe recorded the event is settled from the summaries without a second send")
    func unreadableAppliedTwoHundredSettles() async throws {
        try await Self.oneUnreported.run { world in
            // Given Stripe records the event but its 200 arrives cut short
            let cut = FaultsAroundMeterEvents(world.composition.stripe, simulator: world.simulator, plan: FaultPlan(unreadableSuccessRate: 1))
            _ = try await world.retry(at: Self.now, stripe: cut)
            #expect(try await delivery(world).status == .unconfirmed)

            // When the next run checks Stripe's summaries
            _ = try await world.retry(at: Self.now.addingTimeInterval(3_600))

            // Then the delivery is settled as sent and Stripe counts the row once
            let settled = try await delivery(world)
            #expect(settled.status == .sent && settled.attempts == 1, "\(settled)")
            #expect(world.stripeEvents(customer: 0).map(\.value) == [50])
            #expect(world.simulator.requests.filter { $0.path == "/v1/billing/meter_events" }.count == 1)
        }
    }

    @Test("an unconfirmed row Stripe's summaries still show missing after 24 hours goes to a person, never re-sent")
    func unconfirmedPastWindowGoesToHuman() async throws {
        try await Self.oneUnreported.run { world in
            // Given the send got 500s before Stripe processed it
            let failing = FaultsAroundMeterEvents(world.composition.stripe, simulator: world.simulator, plan: FaultPlan(errorRate: 1))
            _ = try await world.retry(at: Self.now, stripe: failing)

            // When the next run is 25 hours later
            let later = try await world.retry(at: Self.now.addingTimeInterval(25 * 3_600))

            // Then Stripe no longer deduplicates the identifier: a person decides, nothing is sent
            #expect(world.stripeEvents(customer: 0).isEmpty)
            #expect(later.exitStatus == .needsHuman, "\(later.summary)")
            #expect(later.summary.contains("1 need a human"), "\(later.summary)")
        }
    }
}

/// Applies `plan` to the simulator around meter-event sends only (every attempt, client retries included),
/// so the rest of the run (meters, summaries) sees a healthy Stripe.
final class FaultsAroundMeterEvents: StripeAPI {
    let base: any StripeAPI
    let simulator: StripeSimulator
    let plan: FaultPlan

    init(_ base: any StripeAPI, simulator: StripeSimulator, plan: FaultPlan) {
        self.base = base
        self.simulator = simulator
        self.plan = plan
    }

    func send(_ request: StripeRequest) async throws -> StripeResponse {
        guard request.path == "/v1/billing/meter_events" else { return try await base.send(request) }
        simulator.setFaults(plan)
        defer { simulator.setFaults(FaultPlan()) }
        return try await base.send(request)
    }
}
