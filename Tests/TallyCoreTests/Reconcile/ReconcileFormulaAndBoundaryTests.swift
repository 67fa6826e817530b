import Foundation
import Testing
import TallyCore
import TallySandbox
import TallyTestKit

@Suite("tally-reconcile: no false positives, every formula, day and settle boundaries")
struct ReconcileFormulaAndBoundaryTests {
    @Test("a clean month of 50 customers finds nothing, sends nothing and exits 0")
    func cleanMonth() async throws {
        let now = instant("2026-11-25T03:00:00Z")
        var scenario = ReconcileScenario(now: now)
        let start = instant("2026-10-26T00:00:00Z")
        for customer in 0..<50 {
            scenario.customers.append(.init(name: "Customer \(customer)", teamID: Int64(customer + 1)))
            for day in 0..<30 {
                for (slot, tokens) in [(9 * 3_600 + customer * 7, Int64(10 + customer)), (86_399 - customer, Int64(day + 1))] {
                    let at = start.addingTimeInterval(Double(day * 86_400 + slot))
                    scenario.usage.append(SampleUsage(teamID: Int64(customer + 1), userID: nil, tokens: tokens, createdAt: at, reportedAt: at))
                    scenario.stripeEvents.append((customer, tokens, at))
                }
            }
        }
        try await scenario.run(since: start, until: instant("2026-11-25T00:00:00Z")) { world in
            let report = try await world.composition.reconcileJob().run()

            let run = try #require(try await world.store.reconciliationRuns(jobRunID: world.composition.jobRun.runID).first)
            #expect(try await world.store.discrepancies(reconciliationRunID: run.id).isEmpty)
            #expect(run.customers == 50 && run.status == "clean")
            #expect(run.localTotal == run.stripeTotal && run.localTotal > 0)
            #expect(report.exitStatus == .ok && !report.needsHuman)
            #expect(report.itemsProcessed == 50 * 30)
            #expect(try world.outbox().isEmpty)
        }
    }

    @Test("a subscribed customer with no usage on either side, like a team that just signed up, is not a discrepancy")
    func idleSubscriber() async throws {
        let now = instant("2026-11-25T03:00:00Z")
        var scenario = ReconcileScenario(now: now)
        scenario.customers = [.init(name: "Busy", teamID: 1), .init(name: "Just signed up", teamID: nil)]
        let at = instant("2026-11-24T10:00:00Z")
        scenario.usage = [SampleUsage(teamID: 1, userID: nil, tokens: 40, createdAt: at, reportedAt: at)]
        scenario.stripeEvents = [(0, 40, at)]
        try await scenario.run(since: instant("2026-11-24T00:00:00Z"), until: instant("2026-11-25T00:00:00Z")) { world in
            let report = try await world.composition.reconcileJob().run()
            let run = try #require(try await world.store.reconciliationRuns(jobRunID: world.composition.jobRun.runID).first)
            #expect(try await world.store.discrepancies(reconciliationRunID: run.id).isEmpty)
            #expect(report.exitStatus == .ok)
        }
    }

    @Test("a count meter compares row counts and pins the missing row")
    func countFormula() async throws {
        var scenario = ReconcileScenario(now: instant("2026-11-25T03:00:00Z"))
        scenario.formula = "count"
        scenario.customers = [.init(name: "Acme", teamID: 1)]
        scenario.usage = [
            SampleUsage(teamID: 1, userID: nil, tokens: 5, createdAt: instant("2026-11-24T09:00:00Z")),
            SampleUsage(teamID: 1, userID: nil, tokens: 6, createdAt: instant("2026-11-24T09:10:00Z")),
            SampleUsage(teamID: 1, userID: nil, tokens: 7, createdAt: instant("2026-11-24T13:00:00Z")),
        ]
        // Stripe holds two events whose values differ from the tokens: a count meter ignores values.
        scenario.stripeEvents = [(0, 1, instant("2026-11-24T09:00:00Z")), (0, 1, instant("2026-11-24T13:00:00Z"))]
        try await scenario.run { world in
            let found = try await world.composition.reconcileJob().reconcile().discrepancies
            let rows = try await world.store.usageRows(from: instant("2026-11-24T00:00:00Z"), to: instant("2026-11-25T00:00:00Z"), customer: world.customerIDs[0])

            let gap = try #require(found.first)
            #expect(found.count == 1)
            #expect(gap.kind == .unreported && gap.difference == 1)
            #expect(gap.usageRowIDs == rows.filter { $0.tokens == 6 }.map(\.id))
        }
    }

    @Test("a last meter compares the latest value and names the row that sets it")
    func lastFormula() async throws {
        var scenario = ReconcileScenario(now: instant("2026-11-25T03:00:00Z"))
        scenario.formula = "last"
        scenario.customers = [.init(name: "Acme", teamID: 1)]
        scenario.usage = [
            SampleUsage(teamID: 1, userID: nil, tokens: 4, createdAt: instant("2026-11-23T08:00:00Z"), reportedAt: instant("2026-11-23T08:00:01Z")),
            SampleUsage(teamID: 1, userID: nil, tokens: 8, createdAt: instant("2026-11-23T20:00:00Z"), reportedAt: instant("2026-11-23T20:00:01Z")),
            SampleUsage(teamID: 1, userID: nil, tokens: 5, createdAt: instant("2026-11-24T09:00:00Z"), reportedAt: instant("2026-11-24T09:00:01Z")),
            SampleUsage(teamID: 1, userID: nil, tokens: 9, createdAt: instant("2026-11-24T13:00:00Z")),
        ]
        scenario.stripeEvents = [
            (0, 4, instant("2026-11-23T08:00:00Z")), (0, 8, instant("2026-11-23T20:00:00Z")),
            (0, 5, instant("2026-11-24T09:00:00Z")),
        ]
        try await scenario.run { world in
            let found = try await world.composition.reconcileJob().reconcile().discrepancies
            let rows = try await world.store.usageRows(from: instant("2026-11-24T00:00:00Z"), to: instant("2026-11-25T00:00:00Z"), customer: world.customerIDs[0])

            let gap = try #require(found.first)
            #expect(found.count == 1)
            #expect(gap.kind == .unreported && gap.localValue == 9)
            #expect(gap.windowStart >= instant("2026-11-24T13:00:00Z") || gap.windowEnd > instant("2026-11-24T13:00:00Z"))
            #expect(gap.windowStart >= instant("2026-11-24T00:00:00Z"))
            #expect(gap.usageRowIDs == rows.filter { $0.tokens == 9 }.map(\.id))
        }
    }

    @Test("usage inside the settle delay is not judged; the settled part of the day is")
    func settleDelay() async throws {
        // At 01:30 with 120 settle minutes, usage after 23:00 the day before is too young to judge.
        var scenario = ReconcileScenario(now: instant("2026-11-25T01:30:00Z"))
        scenario.customers = [.init(name: "Acme", teamID: 1)]
        scenario.usage = [
            SampleUsage(teamID: 1, userID: nil, tokens: 11, createdAt: instant("2026-11-24T22:10:00Z")),  // settled, missing
            SampleUsage(teamID: 1, userID: nil, tokens: 13, createdAt: instant("2026-11-24T23:10:00Z")),  // too young
        ]
        try await scenario.run { world in
            let outcome = try await world.composition.reconcileJob().reconcile()

            #expect(outcome.range.end == instant("2026-11-24T23:00:00Z"))
            #expect(outcome.discrepancies.map(\.difference) == [11])
            let lastDay = try #require(outcome.meters.first?.windows.first { $0.start == instant("2026-11-24T00:00:00Z") })
            #expect(lastDay.granularity == .partialDay && lastDay.end == instant("2026-11-24T23:00:00Z"))
        }
    }

    @Test("an event at 23:59:59 UTC belongs to its own day on both sides")
    func lastSecondOfTheDay() async throws {
        var scenario = ReconcileScenario(now: instant("2026-11-25T03:00:00Z"))
        scenario.customers = [.init(name: "Acme", teamID: 1)]
        scenario.usage = [SampleUsage(teamID: 1, userID: nil, tokens: 42, createdAt: instant("2026-11-23T23:59:59Z"))]
        scenario.stripeEvents = [(0, 42, instant("2026-11-23T23:59:59Z"))]
        try await scenario.run { world in
            let outcome = try await world.composition.reconcileJob().reconcile()
            #expect(outcome.discrepancies.isEmpty)
            let day = try #require(outcome.meters.first?.daily.first { $0.day == instant("2026-11-23T00:00:00Z") })
            #expect(day.local == 42 && day.stripe == 42)
        }
    }

    @Test("a drill-down stays within its call budget and reports the smallest window it reached")
    func boundedDrillDown() async throws {
        var scenario = ReconcileScenario(now: instant("2026-11-25T03:00:00Z"))
        scenario.customers = [.init(name: "Acme", teamID: 1)]
        // The team's only usage is older than the range: known to the app, nothing to compare locally.
        scenario.usage = [SampleUsage(teamID: 1, userID: nil, tokens: 1, createdAt: instant("2026-11-01T00:00:00Z"))]
        // Stripe has extra usage in six different hours: more gaps than ten calls can pin to the minute.
        scenario.stripeEvents = (0..<6).map { (0, 3, instant("2026-11-24T0\($0):17:00Z")) }
        try await scenario.run(since: instant("2026-11-24T00:00:00Z"), until: instant("2026-11-25T00:00:00Z")) { world in
            let before = world.simulator.requests.count
            let found = try await world.composition.reconcileJob().reconcile().discrepancies
            let summaryCalls = world.simulator.requests.dropFirst(before).filter { $0.path.hasSuffix("/event_summaries") }.count

            #expect(found.allSatisfy { $0.kind == .extraInStripe }, "\(found.map { "\($0.kind) \($0.windowStart) \($0.windowEnd) \($0.difference)" })")
            #expect(found.reduce(0) { $0 + $1.difference } == -18)
            #expect(summaryCalls <= 1 + 10)
            #expect(found.allSatisfy { $0.windowEnd.timeIntervalSince($0.windowStart) <= 3_600 })
        }
    }

    @Test("a customer Stripe refuses is reported as failed; the others are still compared")
    func carriesOnPastOneCustomer() async throws {
        var scenario = ReconcileScenario(now: instant("2026-11-25T03:00:00Z"))
        scenario.customers = [.init(name: "Acme", teamID: 1), .init(name: "Beta", teamID: 2)]
        scenario.usage = [
            SampleUsage(teamID: 1, userID: nil, tokens: 5, createdAt: instant("2026-11-24T09:00:00Z")),
            SampleUsage(teamID: 2, userID: nil, tokens: 6, createdAt: instant("2026-11-24T09:00:00Z")),
        ]
        scenario.stripeEvents = [(0, 5, instant("2026-11-24T09:00:00Z")), (1, 6, instant("2026-11-24T09:00:00Z"))]
        try await scenario.run { world in
            // Given Stripe answers one summaries call with a 400 (never retried)
            world.simulator.enqueueScriptedResponse(ScriptedResponse(
                method: "GET", pathPrefix: "/v1/billing/meters/\(world.meterID)/event_summaries", status: 400,
                body: #"{"error": {"type": "invalid_request_error", "message": "No such customer"}}"#))

            let report = try await world.composition.reconcileJob().run()

            let run = try #require(try await world.store.reconciliationRuns(jobRunID: world.composition.jobRun.runID).first)
            #expect(run.failedCustomers == 1 && run.status == "incomplete")
            let windows = try await world.store.reconciliationWindows(reconciliationRunID: run.id)
            #expect(Set(windows.map(\.customerID)).count == 1)
            #expect(report.itemsFailed == 1 && report.exitStatus == .needsHuman)
        }
    }
}
