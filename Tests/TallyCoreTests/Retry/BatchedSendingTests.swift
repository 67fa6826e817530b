import Foundation
import Testing
import TallyCore
import TallySandbox
import TallyTestKit

/// `tally-retry` records and stores its deliveries in batches, one transaction each, without giving up any
/// of its promises: nothing failed is marked sent, and a run killed between the sends and the store of
/// their answers re-runs without sending anything twice.
@Suite("tally-retry writes its deliveries in batches and keeps every send safe")
struct BatchedSendingTests {
    static let now = instant("2026-11-25T03:00:00Z")

    /// `count` unreported rows of 1, 2, 3 … tokens for Acme, 30 minutes apart, the newest a day old.
    static func unreported(_ count: Int) -> ReconcileScenario {
        var scenario = ReconcileScenario(now: now)
        scenario.customers = [.init(name: "Acme", teamID: 1)]
        scenario.usage = (1...count).map {
            SampleUsage(teamID: 1, userID: nil, tokens: Int64($0), createdAt: now.addingTimeInterval(-86_400 - Double(count - $0) * 1_800))
        }
        return scenario
    }

    /// The identifiers of the scenario's rows, oldest first.
    static func identifiers(_ world: ReconcileScenario.World) async throws -> [String] {
        try await world.store.usageRows(from: now.addingTimeInterval(-30 * 86_400), to: now, customer: nil)
            .sorted { $0.createdAt < $1.createdAt }.map(MeterEventIdentifier.forRow)
    }

    @Test("40 deliveries take two commits (recorded before sending, answers after), not one per row and per answer",
          arguments: StoreBackendUnderTest.all)
    func onePendingCommitAndOneAnswerCommit(backend: StoreBackendUnderTest) async throws {
        try await Self.unreported(40).run(on: backend) { world in
            // Given a store that counts the commits writing tally_meter_event_deliveries
            let writes = ObservedDeliveryWrites()
            var observed = world
            observed.composition.store = try writes.observing(world.store)

            // When tally-retry sends the 40 missing rows with its default settings
            let report = try await observed.retry(at: Self.now)

            // Then all 40 are in Stripe once and stored as sent, through one commit of pending rows and one of answers
            #expect(report.summary.hasPrefix("40 sent"), "\(report.summary)")
            #expect(world.stripeEvents(customer: 0).count == 40)
            let stored = try await world.store.deliveries(identifiers: try await Self.identifiers(world))
            #expect(stored.count == 40 && stored.allSatisfy { $0.status == .sent && $0.attempts == 1 })
            #expect(writes.deliveryCommits == 2)
        }
    }

    @Test("a Stripe failing mid-batch leaves exactly the failed rows unsent, and the next run sends them once")
    func failedMidBatch() async throws {
        try await Self.unreported(10).run { world in
            // Given Stripe answers 500 to the third row's event and 429 to the seventh's, in batches of 4
            let identifiers = try await Self.identifiers(world)
            let serverError = FailingStripe(world.composition.stripe, failing: [identifiers[2]], failure: StripeError(
                code: .server, endpoint: "POST /v1/billing/meter_events", httpStatus: 500, message: "Stripe answered 500"))
            let failing = FailingStripe(serverError, failing: [identifiers[6]], failure: StripeError(
                code: .rateLimited, endpoint: "POST /v1/billing/meter_events", httpStatus: 429, message: "Stripe answered 429"))

            // When tally-retry runs through them
            _ = try await world.retry(at: Self.now, stripe: failing, concurrentSends: 2, deliveryBatchSize: 4)

            // Then the two failed rows are stored unsent (their outcome unknown, or turned away), every other row sent
            let stored = Dictionary(uniqueKeysWithValues: try await world.store.deliveries(identifiers: identifiers).map { ($0.identifier, $0) })
            #expect(stored[identifiers[2]]?.status == .unconfirmed)
            #expect(stored[identifiers[6]]?.status == .pending)
            let sent = Set(identifiers).subtracting([identifiers[2], identifiers[6]])
            #expect(Set(stored.values.filter { $0.status == .sent }.map(\.identifier)) == sent)
            #expect(Set(world.stripeEvents(customer: 0).map(\.identifier)) == sent)

            // When the next run finds Stripe healthy
            _ = try await world.retry(at: Self.now.addingTimeInterval(3_600), concurrentSends: 2, deliveryBatchSize: 4)

            // Then every row is in Stripe exactly once, and stored as sent
            let events = world.stripeEvents(customer: 0)
            #expect(events.count == 10 && Set(events.map(\.identifier)) == Set(identifiers))
            #expect(events.map(\.value).reduce(0, +) == 55)
            #expect(try await world.store.deliveries(identifiers: identifiers).allSatisfy { $0.status == .sent })
        }
    }

    @Test("a run killed after its sends, before their answers were stored, is settled by the next run without a second send",
          arguments: StoreBackendUnderTest.all)
    func answersLostWithTheRun(backend: StoreBackendUnderTest) async throws {
        try await Self.unreported(10).run(on: backend) { world in
            // Given a run whose store of Stripe's answers never happens (the process dies first)
            let writes = ObservedDeliveryWrites()
            writes.failAnswerWrites()
            var dying = world
            dying.composition.store = try writes.observing(world.store)
            await #expect(throws: ObservedDeliveryWrites.AnswersLost.self) { try await dying.retry(at: Self.now) }
            let identifiers = try await Self.identifiers(world)
            #expect(world.stripeEvents(customer: 0).count == 10)
            #expect(try await world.store.deliveries(identifiers: identifiers).allSatisfy { $0.status == .pending && $0.attempts == 0 })

            // When the next run starts a minute later
            let report = try await world.retry(at: Self.now.addingTimeInterval(60))

            // Then Stripe's summaries settle every row as sent, and Stripe still has each event once
            #expect(report.summary.hasPrefix("0 sent"), "\(report.summary)")
            let events = world.stripeEvents(customer: 0)
            #expect(events.count == 10 && Set(events.map(\.identifier)) == Set(identifiers))
            #expect(try await world.store.deliveries(identifiers: identifiers).allSatisfy { $0.status == .sent })
        }
    }

    @Test("rows not settled yet (younger than RECONCILE_SETTLE_MINUTES, to the whole hour) are counted in the summary, with why they wait")
    func settlingRowsCounted() async throws {
        // Given a run at 03:30 with the default 120 settle minutes (usage is settled up to 01:00): two rows a
        // day old, two written at 03:20, and one at 01:10, older than 120 minutes but in an hour not settled
        // yet; none in Stripe
        let runAt = instant("2026-11-25T03:30:00Z")
        var scenario = Self.unreported(2)
        scenario.usage += (1...2).map {
            SampleUsage(teamID: 1, userID: nil, tokens: 7, createdAt: runAt.addingTimeInterval(-600 + Double($0)))
        }
        scenario.usage.append(SampleUsage(teamID: 1, userID: nil, tokens: 7, createdAt: instant("2026-11-25T01:10:00Z")))
        try await scenario.run { world in
            // When tally-retry runs
            let report = try await world.retry(at: runAt)

            // Then it sends the old two and says the other three wait for a later run, and why
            #expect(report.summary.hasPrefix("2 sent"), "\(report.summary)")
            #expect(report.summary.contains("3 not settled yet held back (written since 2026-11-25T01:00:00Z, RECONCILE_SETTLE_MINUTES before now to the whole hour: the app may still be sending them"),
                    "\(report.summary)")
            #expect(world.stripeEvents(customer: 0).count == 2)
        }
    }
}
