import Foundation
import Testing
import TallyCore
import TallySandbox
import TallyTestKit

/// `last` meters judged at the grains Stripe bills, and pre-aggregated meters, where Stripe keeps only the
/// newest event of each hour or day, repaired by overwriting the window.
@Suite("Every kind of meter: last by the hour, pre-aggregated windows overwritten whole")
struct MeterKindsTests {
    static let now = instant("2026-11-25T03:00:00Z")

    @Test("a last meter finds a missing row that is not the day's last, and retry mends it")
    func lastMissingEarlierRow() async throws {
        var scenario = ReconcileScenario(now: Self.now)
        scenario.formula = "last"
        scenario.customers = [.init(name: "Acme", teamID: 1)]
        scenario.usage = [
            SampleUsage(teamID: 1, userID: nil, tokens: 5, createdAt: instant("2026-11-24T10:00:00Z")),
            SampleUsage(teamID: 1, userID: nil, tokens: 9, createdAt: instant("2026-11-24T14:00:00Z"), meterEventIdentifier: "evt_0",
                        reportedAt: instant("2026-11-24T14:00:01Z")),
        ]
        // Stripe has the day's last value, but not the 10:00 one.
        scenario.stripeEvents = [(0, 9, instant("2026-11-24T14:00:00Z"))]
        try await scenario.run { world in
            // When reconciling
            let found = try await world.reconcile(at: Self.now)

            // Then the 10:00 hour is found, with no effect on the day's billed value (9 on both sides)
            let gap = try #require(found.first)
            #expect(found.count == 1)
            #expect(gap.kind == .unreported && gap.windowStart == instant("2026-11-24T10:00:00Z"))
            #expect(gap.windowEnd == instant("2026-11-24T11:00:00Z"))
            #expect(gap.localValue == 5 && gap.difference == 0)
            #expect(gap.suggestedAction.contains("unchanged"))

            // And retry re-sends that row, after which reconcile is clean
            _ = try await world.retry(at: Self.now.addingTimeInterval(600))
            #expect(world.stripeEvents(customer: 0).map(\.value).sorted() == [5, 9])
            #expect(try await world.reconcile(at: Self.now.addingTimeInterval(1_200)).isEmpty)
        }
    }

    @Test("a last meter's finding says what Stripe bills: app 489, Stripe 704 is 215 billed too much")
    func lastEffectOnBilling() async throws {
        var scenario = ReconcileScenario(now: Self.now)
        scenario.formula = "last"
        scenario.customers = [.init(name: "Acme", teamID: 1)]
        scenario.usage = [
            SampleUsage(teamID: 1, userID: nil, tokens: 704, createdAt: instant("2026-11-24T09:00:00Z"), meterEventIdentifier: "evt_0",
                        reportedAt: instant("2026-11-24T09:00:01Z")),
            SampleUsage(teamID: 1, userID: nil, tokens: 489, createdAt: instant("2026-11-24T20:00:00Z")),
        ]
        scenario.stripeEvents = [(0, 704, instant("2026-11-24T09:00:00Z"))]
        try await scenario.run { world in
            let outcome = try await world.composition.reconcileJob().reconcile()

            let gap = try #require(outcome.discrepancies.first)
            #expect(outcome.discrepancies.count == 1)
            #expect(gap.kind == .unreported && gap.localValue == 489)
            // The day's billed value: Stripe 704 where the app says 489.
            #expect(gap.difference == -215)
            #expect(gap.suggestedAction.contains("Stripe bills 215 more"), "\(gap.suggestedAction)")
            #expect(outcome.absoluteDiscrepancy == 215)
            let day = try #require(outcome.meters.first?.daily.first { $0.day == instant("2026-11-24T00:00:00Z") })
            #expect(day.local == 489 && day.stripe == 704)
        }
    }

    @Test("a pre-aggregated hourly sum meter is mended by one event with the hour's whole total")
    func preAggregatedSumShortfall() async throws {
        var scenario = ReconcileScenario(now: Self.now)
        scenario.eventTimeWindow = "hour"
        scenario.customers = [.init(name: "Acme", teamID: 1)]
        scenario.usage = [
            SampleUsage(teamID: 1, userID: nil, tokens: 10, createdAt: instant("2026-11-24T10:05:00Z")),
            SampleUsage(teamID: 1, userID: nil, tokens: 20, createdAt: instant("2026-11-24T10:20:00Z")),
            SampleUsage(teamID: 1, userID: nil, tokens: 30, createdAt: instant("2026-11-24T10:40:00Z")),
        ]
        // The app sent its running total for the hour, and the last update (60) never arrived.
        scenario.stripeEvents = [(0, 10, instant("2026-11-24T10:05:00Z")), (0, 30, instant("2026-11-24T10:20:00Z"))]
        try await scenario.run { world in
            // When reconcile finds the hour short by 30 and retry mends it
            let found = try await world.reconcile(at: Self.now)
            #expect(found.map(\.kind) == [.unreported])
            #expect(found.first?.difference == 30 && found.first?.repair == .retry)
            #expect(found.first?.windowStart == instant("2026-11-24T10:00:00Z") && found.first?.windowEnd == instant("2026-11-24T11:00:00Z"))
            _ = try await world.retry(at: Self.now.addingTimeInterval(600))

            // Then Tally sent one event carrying the hour's total (re-sending rows would have replaced it
            // with 30 or 20), and the next reconcile is clean
            let sent = world.stripeEvents(customer: 0).filter { $0.identifier.hasPrefix("tw_") }
            #expect(sent.map(\.value) == [60])
            #expect(try await world.reconcile(at: Self.now.addingTimeInterval(1_200)).isEmpty)
        }
    }

    @Test("a pre-aggregated meter's over-count is overwritten with the app's value, even with no reconciliation yet")
    func preAggregatedOverCountAndCheck() async throws {
        var scenario = ReconcileScenario(now: Self.now)
        scenario.eventTimeWindow = "hour"
        scenario.customers = [.init(name: "Acme", teamID: 1), .init(name: "Beta", teamID: 2)]
        scenario.usage = [
            SampleUsage(teamID: 1, userID: nil, tokens: 60, createdAt: instant("2026-11-24T10:40:00Z"), meterEventIdentifier: "evt_0",
                        reportedAt: instant("2026-11-24T10:40:01Z")),
            // Beta's hour never reached Stripe and was never marked reported.
            SampleUsage(teamID: 2, userID: nil, tokens: 7, createdAt: instant("2026-11-24T12:10:00Z")),
            SampleUsage(teamID: 2, userID: nil, tokens: 8, createdAt: instant("2026-11-24T12:50:00Z")),
        ]
        scenario.stripeEvents = [(0, 100, instant("2026-11-24T10:40:00Z"))]
        try await scenario.run { world in
            // Given retry runs before any reconciliation: its own check mends Beta's hour with its total
            _ = try await world.retry(at: Self.now)
            #expect(world.stripeEvents(customer: 1).map(\.value) == [15])

            // When reconcile finds Acme's hour over-counted (100 for 60) and retry runs on it
            let found = try await world.reconcile(at: Self.now.addingTimeInterval(600))
            #expect(found.map(\.kind) == [.extraInStripe] && found.first?.repair == .retry)
            _ = try await world.retry(at: Self.now.addingTimeInterval(1_200))

            // Then the hour is overwritten with 60 and reconcile is clean
            #expect(try await world.reconcile(at: Self.now.addingTimeInterval(1_800)).isEmpty)
        }
    }

    @Test("a pre-aggregated daily count meter counts one per day, and a missing day is sent once")
    func preAggregatedDailyCount() async throws {
        var scenario = ReconcileScenario(now: Self.now)
        scenario.formula = "count"
        scenario.eventTimeWindow = "day"
        scenario.customers = [.init(name: "Acme", teamID: 1)]
        scenario.usage = [
            SampleUsage(teamID: 1, userID: nil, tokens: 1, createdAt: instant("2026-11-23T09:00:00Z"), reportedAt: instant("2026-11-23T09:00:01Z")),
            SampleUsage(teamID: 1, userID: nil, tokens: 1, createdAt: instant("2026-11-23T17:00:00Z"), reportedAt: instant("2026-11-23T17:00:01Z")),
            SampleUsage(teamID: 1, userID: nil, tokens: 1, createdAt: instant("2026-11-24T11:00:00Z")),
        ]
        scenario.stripeEvents = [(0, 2, instant("2026-11-23T17:00:00Z"))]
        try await scenario.run { world in
            let found = try await world.reconcile(at: Self.now)
            #expect(found.count == 1)
            #expect(found.first?.windowStart == instant("2026-11-24T00:00:00Z") && found.first?.localValue == 1)
            _ = try await world.retry(at: Self.now.addingTimeInterval(600))
            #expect(world.stripeEvents(customer: 0).filter { $0.identifier.hasPrefix("tw_") }.count == 1)
            #expect(try await world.reconcile(at: Self.now.addingTimeInterval(1_200)).isEmpty)
        }
    }

    @Test("a meter window Tally does not know stops the run naming the meter")
    func unknownWindow() throws {
        let meter = try JSONDecoder().decode(Meter.self, from: Data(#"{"id":"mtr_9","eventName":"tokens","eventTimeWindow":"week"}"#.utf8))
        let error = try #require(throws: ReconcileInputError.self) { try MeterAggregation(meter: meter) }
        #expect(error.message.contains("mtr_9") && error.message.contains("week"))
        #expect(error.exitStatus == .dataError)
    }
}
