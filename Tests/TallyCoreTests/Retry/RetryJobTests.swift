import Foundation
import Testing
import TallyCore
import TallySandbox
import TallyTestKit

/// `tally-retry` end to end against the simulator on loopback and a sample app database.
@Suite("tally-retry repairs what Stripe still allows and never double-bills")
struct RetryJobTests {
    static let now = instant("2026-11-25T03:00:00Z")
    static let day = "2026-11-25"

    /// Acme has one row Stripe got and one never reported; Beta one row acknowledged yet lost.
    static var gaps: ReconcileScenario {
        var scenario = ReconcileScenario(now: now)
        scenario.customers = [.init(name: "Acme", teamID: 1), .init(name: "Beta", teamID: 2)]
        scenario.usage = [
            SampleUsage(teamID: 1, userID: nil, tokens: 100, createdAt: instant("2026-11-24T10:00:00Z"), meterEventIdentifier: "evt_0",
                        reportedAt: instant("2026-11-24T10:00:05Z")),
            SampleUsage(teamID: 1, userID: nil, tokens: 50, createdAt: instant("2026-11-24T10:30:00Z")),
            SampleUsage(teamID: 2, userID: nil, tokens: 200, createdAt: instant("2026-11-24T14:15:00Z"),
                        reportedAt: instant("2026-11-24T14:15:05Z")),
        ]
        scenario.stripeEvents = [(0, 100, instant("2026-11-24T10:00:00Z"))]
        return scenario
    }

    @Test("re-sends an unreported row once, and a second run sends nothing", arguments: StoreBackendUnderTest.all)
    func resendsUnreportedOnce(backend: StoreBackendUnderTest) async throws {
        try await Self.gaps.run(on: backend) { world in
            // Given no reconciliation yet: the unreported row is found directly
            let first = try await world.retry(at: Self.now)
            let firstReport = world.reportLines("retry.csv", day: Self.day)
            let second = try await world.retry(at: Self.now.addingTimeInterval(3_600))

            // Then Stripe has the row once, under its stable identifier, and the delivery is sent
            let rows = try await world.store.usageRows(from: instant("2026-11-24T10:30:00Z"), to: instant("2026-11-24T10:31:00Z"), customer: nil)
            let row = try #require(rows.first)
            let events = world.stripeEvents(customer: 0).filter { $0.identifier == "tu_\(row.id)" }
            #expect(events.map(\.value) == [50])
            let delivery = try #require(try await world.store.deliveries(identifiers: ["tu_\(row.id)"]).first)
            #expect(delivery.status == .sent && delivery.attempts == 1 && delivery.stripeRequestID != nil)
            #expect(delivery.idempotencyKey == "tally-retry-tu_\(row.id)-1")
            #expect(first.exitStatus == .ok && second.exitStatus == .ok)
            #expect(firstReport.contains { $0.hasPrefix("\(row.id),tu_\(row.id),") && $0.contains(",sent,") })
            // (the second run's own check of Stripe's summaries now finds the row there, so it is not even a candidate)
            #expect(second.summary.contains("0 sent") && second.summary.contains("0 left for the next run"), "\(second.summary)")
        }
    }

    @Test("after tally-retry a second tally-reconcile is clean", arguments: StoreBackendUnderTest.all)
    func reconcileCleanAfterRetry(backend: StoreBackendUnderTest) async throws {
        try await Self.gaps.run(on: backend) { world in
            // Given a reconciliation that found the unreported and the lost row
            let found = try await world.reconcile(at: Self.now)
            #expect(Set(found.map(\.kind)) == [.unreported, .lostAfterAck])

            // When tally-retry repairs them
            let report = try await world.retry(at: Self.now.addingTimeInterval(600))

            // Then the next reconciliation finds nothing
            #expect(report.exitStatus == .ok, "\(report.summary)")
            let after = try await world.reconcile(at: Self.now.addingTimeInterval(1_200))
            #expect(after.isEmpty, "\(after.map { "\($0.kind.rawValue) \($0.difference)" })")
            #expect(world.stripeEvents(customer: 1).map(\.value) == [200])
        }
    }

    @Test("an unreported row Stripe already counts under the app's own identifier is never re-sent")
    func neverResendsWhatStripeHas() async throws {
        var scenario = ReconcileScenario(now: Self.now)
        scenario.customers = [.init(name: "Acme", teamID: 1)]
        // The app sent the event under an identifier it never recorded, and never marked the row reported.
        scenario.usage = [SampleUsage(teamID: 1, userID: nil, tokens: 70, createdAt: instant("2026-11-24T20:00:00Z"))]
        scenario.stripeEvents = [(0, 70, instant("2026-11-24T20:00:00Z"))]
        try await scenario.run { world in
            // When tally-retry runs with no reconciliation to work from
            let report = try await world.retry(at: Self.now)

            // Then it checks the row's window against Stripe, finds the usage there, and sends nothing
            let rows = try await world.store.usageRows(from: instant("2026-11-24T20:00:00Z"), to: instant("2026-11-24T20:01:00Z"), customer: nil)
            let identifier = MeterEventIdentifier.forRow(try #require(rows.first))
            #expect(try await world.store.deliveries(identifiers: [identifier]).isEmpty)
            #expect(world.stripeEvents(customer: 0).map(\.value) == [70])
            #expect(report.exitStatus == .ok && report.summary.contains("0 sent"), "\(report.summary)")
        }
    }

    @Test("a row written minutes before a nightly run is never sent: the app may still be sending it")
    func freshUsageIsNotSent() async throws {
        var scenario = ReconcileScenario(now: Self.now)
        scenario.customers = [.init(name: "Acme", teamID: 1)]
        // 18 minutes old, not yet in Stripe: the app's own send may be on its way.
        scenario.usage = [SampleUsage(teamID: 1, userID: nil, tokens: 9, createdAt: Self.now.addingTimeInterval(-18 * 60))]
        try await scenario.run { world in
            // When the nightly sequence runs right after the usage was written
            let found = try await world.reconcile(at: Self.now)
            let report = try await world.retry(at: Self.now.addingTimeInterval(60))

            // Then nothing is judged or sent for it
            #expect(found.isEmpty)
            #expect(world.stripeEvents(customer: 0).isEmpty)
            #expect(report.summary.contains("0 sent"), "\(report.summary)")
        }
    }

    @Test("a send whose answer was lost is unconfirmed, and the next run settles it from Stripe's summaries, counted once")
    func timeoutRetriedNextRun() async throws {
        try await Self.gaps.run { world in
            // Given the send reached Stripe but its answer timed out
            let losing = DisruptingStripe(world.composition.stripe, loseAnswerOf: 1)
            let first = try await world.retry(at: Self.now, stripe: losing)
            let rows = try await world.store.usageRows(from: instant("2026-11-24T10:30:00Z"), to: instant("2026-11-24T10:31:00Z"), customer: nil)
            let identifier = "tu_\(try #require(rows.first).id)"
            let pending = try #require(try await world.store.deliveries(identifiers: [identifier]).first)
            #expect(pending.status == .unconfirmed && pending.attempts == 1 && pending.lastError == "timed out")
            #expect(first.exitStatus == .ok)

            // When the next run checks the row's window against Stripe's summaries
            _ = try await world.retry(at: Self.now.addingTimeInterval(3_600))

            // Then the summaries confirm Stripe has it: the delivery is settled as sent without a second send,
            // and Stripe counts it once
            let sent = try #require(try await world.store.deliveries(identifiers: [identifier]).first)
            #expect(sent.status == .sent && sent.attempts == 1, "\(sent)")
            #expect(world.stripeEvents(customer: 0).filter { $0.identifier == identifier }.count == 1)
        }
    }

    /// Ten unreported rows of 1..10 tokens for Acme, an hour apart.
    static var tenUnreported: ReconcileScenario {
        var scenario = ReconcileScenario(now: now)
        scenario.customers = [.init(name: "Acme", teamID: 1)]
        scenario.usage = (1...10).map {
            SampleUsage(teamID: 1, userID: nil, tokens: Int64($0), createdAt: instant("2026-11-24T00:00:00Z").addingTimeInterval(Double($0) * 3_600))
        }
        return scenario
    }

    @Test("a run stopped mid-way and one killed between Stripe's answer and the store write, re-run, send each event exactly once")
    func killedRunSendsEachOnce() async throws {
        try await Self.tenUnreported.run { world in
            // Given a run that is asked to stop after 3 sends
            let flag = InterruptFlag()
            await #expect(throws: JobInterrupted.self) {
                try await world.retry(at: Self.now, stripe: DisruptingStripe(world.composition.stripe, interrupt: flag, stopAfter: 3),
                                      interrupt: flag, concurrentSends: 2)
            }
            let afterStop = world.stripeEvents(customer: 0).count
            #expect(afterStop >= 3 && afterStop < 10)

            // And a run killed after Stripe accepted its second send, before the delivery was stored
            await #expect(throws: CancellationError.self) {
                try await world.retry(at: Self.now.addingTimeInterval(60),
                                      stripe: DisruptingStripe(world.composition.stripe, loseAnswerOf: 2, failure: CancellationError()),
                                      concurrentSends: 2)
            }

            // When a last run finishes the work
            let report = try await world.retry(at: Self.now.addingTimeInterval(120), concurrentSends: 2)

            // Then each of the ten rows is in Stripe exactly once
            let events = world.stripeEvents(customer: 0)
            #expect(events.count == 10)
            #expect(Set(events.map(\.identifier)).count == 10)
            #expect(events.map(\.value).reduce(0, +) == 55)
            #expect(report.exitStatus == .ok)
        }
    }

    @Test("at the 35-day edge: 34 days 23 hours old is sent, 35 days 1 hour old goes to a human")
    func thirtyFiveDayEdge() async throws {
        var scenario = ReconcileScenario(now: Self.now)
        scenario.customers = [.init(name: "Acme", teamID: 1)]
        let young = Self.now.addingTimeInterval(-(34 * 86_400 + 23 * 3_600))
        let old = Self.now.addingTimeInterval(-(35 * 86_400 + 3_600))
        scenario.usage = [
            SampleUsage(teamID: 1, userID: nil, tokens: 11, createdAt: young),
            SampleUsage(teamID: 1, userID: nil, tokens: 22, createdAt: old),
        ]
        try await scenario.run { world in
            let report = try await world.retry(at: Self.now, since: Self.now.addingTimeInterval(-40 * 86_400))

            #expect(world.stripeEvents(customer: 0).map(\.value) == [11])
            #expect(report.needsHuman && report.exitStatus == .needsHuman)
            let human = world.reportLines("retry-needs-human.csv", day: Self.day)
            #expect(human.count == 2)
            #expect(human.last?.contains("35-day") == true && human.last?.contains("invoice item") == true)
            #expect(human.last?.contains(",22,") == true)
            let email = try #require(try world.outbox().first)
            #expect(email.header("Subject") == "Tally: 1 usage item needs a person (tally-retry held it back)")
            #expect(email.html?.contains("dashboard.stripe.com/test/customers/") == true)
            #expect(email.attachments.first?.filename == "retry-needs-human.csv")

            // And a later run does not send it either
            _ = try await world.retry(at: Self.now.addingTimeInterval(3_600), since: Self.now.addingTimeInterval(-40 * 86_400))
            #expect(world.stripeEvents(customer: 0).map(\.value) == [11])
        }
    }

    @Test("a lost window acknowledged over 24 hours ago is never re-sent")
    func lostBeyondIdentifierWindow() async throws {
        var scenario = ReconcileScenario(now: Self.now)
        scenario.customers = [.init(name: "Acme", teamID: 1)]
        scenario.usage = [SampleUsage(teamID: 1, userID: nil, tokens: 40, createdAt: instant("2026-11-22T09:00:00Z"),
                                      reportedAt: instant("2026-11-22T09:00:02Z"))]
        try await scenario.run { world in
            let found = try await world.reconcile(at: Self.now)
            #expect(found.map(\.kind) == [.lostAfterAck])

            let report = try await world.retry(at: Self.now.addingTimeInterval(60))

            #expect(world.stripeEvents(customer: 0).isEmpty)
            #expect(report.needsHuman)
            #expect(world.reportLines("retry-needs-human.csv", day: Self.day).count == 2)
        }
    }

    @Test("a duplicate Tally caused is cancelled within 24 hours, and reconcile is clean again")
    func cancelsOwnDuplicate() async throws {
        var scenario = ReconcileScenario(now: Self.now)
        scenario.customers = [.init(name: "Acme", teamID: 1)]
        // A row Stripe never received.
        scenario.usage = [SampleUsage(teamID: 1, userID: nil, tokens: 30, createdAt: instant("2026-11-24T18:00:00Z"))]
        try await scenario.run { world in
            // Given tally-retry sent it, and the app's own late send then arrived under another identifier
            _ = try await world.retry(at: Self.now)
            world.simulator.state.appendMeterEvents([SimulatedMeterEvent(
                identifier: "evt_0", eventName: "tokens", customer: world.customerIDs[0], value: 30,
                timestamp: Int64(instant("2026-11-24T18:00:00Z").timeIntervalSince1970),
                receivedAt: Int64(Self.now.addingTimeInterval(300).timeIntervalSince1970))])
            #expect(world.stripeEvents(customer: 0).count == 2)
            let found = try await world.reconcile(at: Self.now.addingTimeInterval(600))
            #expect(found.map(\.kind) == [.extraInStripe])

            // When tally-retry runs on that reconciliation
            let report = try await world.retry(at: Self.now.addingTimeInterval(1_200))

            // Then Tally's own copy is cancelled, a run before the next reconciliation finds nothing left to do,
            // and the next reconciliation is clean
            #expect(world.stripeEvents(customer: 0).map(\.identifier) == ["evt_0"])
            #expect(report.exitStatus == .ok, "\(report.summary)")
            let again = try await world.retry(at: Self.now.addingTimeInterval(1_500))
            #expect(again.exitStatus == .ok && again.itemsProcessed == 0, "\(again.summary)")
            #expect(try await world.reconcile(at: Self.now.addingTimeInterval(1_800)).isEmpty)
        }
    }

    @Test("an over-count Tally did not add is never cancelled: it goes to a human with a credit-note fix")
    func keepsEventsTallyDidNotAdd() async throws {
        var scenario = ReconcileScenario(now: Self.now)
        scenario.customers = [.init(name: "Acme", teamID: 1)]
        // Stripe already has the row under its identifier, and the app sent a second copy under another one.
        scenario.usage = [SampleUsage(teamID: 1, userID: nil, tokens: 30, createdAt: instant("2026-11-24T18:00:00Z"), meterEventIdentifier: "evt_0")]
        scenario.stripeEvents = [(0, 30, instant("2026-11-24T18:00:00Z")), (0, 30, instant("2026-11-24T18:00:00Z"))]
        try await scenario.run { world in
            // Given tally-retry's send was answered "already exists", and reconcile sees the app's extra copy
            _ = try await world.retry(at: Self.now)
            #expect(try await world.reconcile(at: Self.now.addingTimeInterval(600)).map(\.kind) == [.extraInStripe])

            // When tally-retry runs on that reconciliation
            let report = try await world.retry(at: Self.now.addingTimeInterval(1_200))

            // Then nothing is cancelled and a person is asked to credit the excess
            #expect(world.stripeEvents(customer: 0).count == 2)
            #expect(report.needsHuman)
            let human = world.reportLines("retry-needs-human.csv", day: Self.day)
            #expect(human.count == 2 && human.last?.contains("credit note") == true)
        }
    }

    @Test("a dry run stores and prints the plan but sends nothing")
    func dryRunSendsNothing() async throws {
        try await Self.gaps.run { world in
            let report = try await world.retry(at: Self.now, dryRun: true)

            #expect(world.stripeEvents(customer: 0).map(\.value) == [100])
            #expect(world.reportLines("retry.csv", day: Self.day).contains { $0.contains(",would_send,") })
            let rows = try await world.store.usageRows(from: instant("2026-11-24T00:00:00Z"), to: Self.now, customer: nil)
            #expect(try await world.store.deliveries(identifiers: rows.map(MeterEventIdentifier.forRow)).isEmpty)
            #expect(report.summary.hasPrefix("dry run: 1 would be sent"))
        }
    }
}
