import Foundation
import Testing
import TallyTestKit
@testable import TallyCore

@Suite("Dashboard figures from the store, on every backend")
struct DashboardGathererTests {
    @Test("each day counts as its newest reconciliation judged it, drill-downs not twice, only the last 30 days",
          arguments: StoreBackendUnderTest.all)
    func reconciledDays(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore(prepare: { try await SampleAppDatabase.create(at: $0, app: DashboardFixture.app) }) { store, location in
            // Given three runs, the newest re-judging Nov 27
            try await DashboardFixture.seed(store, at: location)
            // When the dashboard is gathered on Nov 30
            let dashboard = try await DashboardFixture.dashboard(store)
            // Then the 30 days run Nov 1 to Nov 30 with the newest figures per day
            #expect(dashboard.reconciledDays.count == 30)
            #expect(dashboard.reconciledDays.first?.day == utc("2026-11-01T00:00:00Z"))
            #expect(dashboard.reconciledDays.last?.day == utc("2026-11-30T00:00:00Z"))
            let judged = dashboard.reconciledDays.filter(\.judged)
            #expect(judged.map { UTCCalendarText.day($0.day) } == ["2026-11-26", "2026-11-27", "2026-11-28"])
            #expect(judged.map(\.localTokens) == [1_000, 2_000, 600])
            #expect(judged.map(\.stripeTokens) == [1_000, 2_000, 500])
            #expect(dashboard.reconciledDays.filter(\.judged).count == 3)  // the other 27 are blank, not zero
        }
    }

    @Test("open discrepancies by class and age; failed deliveries; each team's usage against its plan, by name",
          arguments: StoreBackendUnderTest.all)
    func openProblems(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore(prepare: { try await SampleAppDatabase.create(at: $0, app: DashboardFixture.app) }) { store, location in
            try await DashboardFixture.seed(store, at: location)
            let dashboard = try await DashboardFixture.dashboard(store)
            #expect(dashboard.openDiscrepancies == [
                DashboardData.DiscrepancyClass(kind: "unreported", byAge: [1, 1, 0], tokens: 140),
            ])
            #expect(dashboard.failedDeliveries == DashboardData.FailedDeliveries(
                count: 2, tokens: 500, customers: 2, oldest: utc("2026-11-21T10:00:00Z")))
            #expect(dashboard.teamUsage == [
                DashboardData.TeamUsage(team: "Acme Analytics", used: 8_790, allowance: 10_000, blocked: false),
                DashboardData.TeamUsage(team: "Stark & Sons", used: 1_200, allowance: 1_000, blocked: true),
                DashboardData.TeamUsage(team: HandDataset.hostileName, used: 0, allowance: 60_000, blocked: false),
            ])
            #expect(dashboard.failedPayments.map(\.team) == ["Stark & Sons"])
            #expect(dashboard.failedPayments.map(\.dunningState) == ["retry overdue"])
            // API health of the last 30 days: the Oct 20 call is not counted
            #expect(dashboard.apiHealth.overall.calls == 8)
            #expect(dashboard.apiHealth.overall.failures == 3)
        }
    }

    @Test("API health counts the calls of the very second the report is made (times are whole seconds)",
          arguments: StoreBackendUnderTest.all)
    func callsOfTheLastSecond(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore(prepare: { try await SampleAppDatabase.create(at: $0, app: DashboardFixture.app) }) { store, location in
            try await DashboardFixture.seed(store, at: location)
            // Given a job's call in the same second as the report, half a second before it
            var call = HandDataset.apiCalls[0]
            call.startedAt = DashboardFixture.now.addingTimeInterval(0.5)
            try await store.record([call])
            // Then the dashboard gathered at that moment counts it
            let dashboard = try await DashboardFixture.dashboard(store)
            #expect(dashboard.apiHealth.overall.calls == 9)
        }
    }
}
