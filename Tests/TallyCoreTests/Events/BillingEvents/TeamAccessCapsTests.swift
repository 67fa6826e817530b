import Foundation
import Testing
import TallyCore
import TallyTestKit

@Suite("The access row follows the usage caps")
struct TeamAccessCapsTests {
    let now = Date(timeIntervalSince1970: 1_767_225_600 + 20 * 86_400)
    let periodStart = Date(timeIntervalSince1970: 1_767_225_600)

    @Test("caps tally-alerts saves reach each team's access row at once, with what remains", arguments: StoreBackendUnderTest.all)
    func capsReachAccessRow(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore { store, _ in
            // Given two teams' caps for the current period, one over its allowance
            let end = periodStart.addingTimeInterval(31 * 86_400)
            try await store.saveUsageCaps([
                UsageCapRecord(teamID: "1", periodStart: periodStart, periodEnd: end, allowance: 60_000, used: 48_876,
                               blocked: false, blockedAt: nil, projectedLimitAt: nil, updatedAt: now),
                UsageCapRecord(teamID: "2", periodStart: periodStart, periodEnd: end, allowance: 20_000, used: 21_000,
                               blocked: true, blockedAt: now, projectedLimitAt: nil, updatedAt: now),
            ])

            // When the app reads the access rows (no tally-events run in between)
            let first = try await store.teamAccess(teamID: "1")
            let second = try await store.teamAccess(teamID: "2")

            // Then each shows the cap's figures and what remains, never below zero
            #expect(first?.allowance == 60_000 && first?.used == 48_876 && first?.remaining == 11_124 && first?.blocked == false)
            #expect(second?.allowance == 20_000 && second?.used == 21_000 && second?.remaining == 0 && second?.blocked == true)
        }
    }
}
