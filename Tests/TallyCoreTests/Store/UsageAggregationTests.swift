import Foundation
import Testing
import TallyCore
import TallyTestKit

@Suite("Daily usage through the default usage query")
struct UsageAggregationTests {
    /// 2026-01-01 00:00:00 UTC and the next two days.
    static let day0 = Date(timeIntervalSince1970: 1_767_225_600)
    static let day1 = day0.addingTimeInterval(86_400)
    static let day2 = day0.addingTimeInterval(2 * 86_400)
    /// The job runs at 06:00 on day 1: anything later is in the future.
    static let now = day1.addingTimeInterval(6 * 3_600)

    static func at(_ day: Date, _ hours: Int, _ minutes: Int = 0, _ seconds: Int = 0) -> Date {
        day.addingTimeInterval(TimeInterval(hours * 3_600 + minutes * 60 + seconds))
    }

    static let app = SampleApp(
        teams: [
            SampleTeam(id: 1, name: "Acme", stripeCustomerID: "cus_A", planName: "Pro", subscriptionStatus: "active"),
            SampleTeam(id: 2, name: "Beta", stripeCustomerID: "cus_B", planName: "Base", subscriptionStatus: "active"),
            SampleTeam(id: 3, name: "Trial", stripeCustomerID: nil),
        ],
        users: [
            SampleUser(id: 1, name: "Ada", email: "ada@acme.test"),
            SampleUser(id: 2, name: "Bo", email: "bo@beta.test"),
        ],
        members: [SampleMember(userID: 1, teamID: 1, role: "owner"), SampleMember(userID: 2, teamID: 2, role: "owner")],
        usage: [
            SampleUsage(teamID: 1, userID: 1, tokens: 888, createdAt: at(day0, 0, 0, -1)),  // before the window
            SampleUsage(teamID: 1, userID: 1, tokens: 100, createdAt: at(day0, 10), meterEventIdentifier: "tu_1", reportedAt: at(day0, 10, 0, 5)),
            SampleUsage(teamID: 1, userID: 1, tokens: 50, createdAt: at(day0, 23, 59, 59)),  // last second of day 0
            SampleUsage(teamID: 1, userID: 1, tokens: 70, createdAt: day1),  // first second of day 1
            SampleUsage(teamID: 2, userID: 2, tokens: 5, createdAt: at(day0, 8)),
            SampleUsage(teamID: 2, userID: 2, tokens: 30, createdAt: at(day0, 12)),
            SampleUsage(teamID: 3, userID: nil, tokens: 7, createdAt: at(day0, 1)),
            SampleUsage(teamID: nil, userID: 1, tokens: 40, createdAt: at(day0, 2)),  // bad: no team
            SampleUsage(teamID: 1, userID: 1, tokens: -5, createdAt: at(day0, 3)),  // bad: negative
            SampleUsage(teamID: 2, userID: 2, tokens: 1_000, createdAt: at(day1, 12)),  // bad: after now
            SampleUsage(teamID: 1, userID: 1, tokens: 999, createdAt: day2),  // the window's end is exclusive
        ]
    )

    @Test("sums each customer's UTC day, splitting at 23:59:59, and counts the bad rows", arguments: StoreBackendUnderTest.all)
    func aggregatesPerCustomerAndDay(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore(prepare: { try await SampleAppDatabase.create(at: $0, app: Self.app) }) { store, _ in
            // When aggregating days 0 and 1 at 06:00 on day 1
            let aggregate = try await store.dailyUsage(from: Self.day0, to: Self.day2, now: Self.now)

            // Then the sums match the rows counted by hand
            let expected: Set<DailyUsage> = [
                DailyUsage(stripeCustomerID: "cus_A", teamID: "1", day: Self.day0, tokens: 150, rows: 2, reportedTokens: 100, lastEventAt: Self.at(Self.day0, 23, 59, 59), lastTokens: 50, activeHours: 2),
                DailyUsage(stripeCustomerID: "cus_A", teamID: "1", day: Self.day1, tokens: 70, rows: 1, reportedTokens: 0, lastEventAt: Self.day1, lastTokens: 70, activeHours: 1),
                DailyUsage(stripeCustomerID: "cus_B", teamID: "2", day: Self.day0, tokens: 35, rows: 2, reportedTokens: 0, lastEventAt: Self.at(Self.day0, 12), lastTokens: 30, activeHours: 2),
                DailyUsage(stripeCustomerID: nil, teamID: "3", day: Self.day0, tokens: 7, rows: 1, reportedTokens: 0, lastEventAt: Self.at(Self.day0, 1), lastTokens: 7, activeHours: 1),
            ]
            #expect(Set(aggregate.days) == expected)
            #expect(aggregate.days.count == expected.count)
            #expect(aggregate.badRows.total == 3)
            #expect(aggregate.badRows.missingTeam == 1 && aggregate.badRows.negativeTokens == 1 && aggregate.badRows.futureTimestamp == 1)
            // Each bad row is named by its id for the report.
            #expect(aggregate.badRows.examples.mapValues(\.count) == [.missingTeam: 1, .negativeTokens: 1, .futureTimestamp: 1])
        }
    }

    @Test("lists one customer's rows oldest first, with what the app recorded", arguments: StoreBackendUnderTest.all)
    func listsRows(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore(prepare: { try await SampleAppDatabase.create(at: $0, app: Self.app) }) { store, _ in
            let acme = try await store.usageRows(from: Self.day0, to: Self.day2, customer: "cus_A")
            // A bad row comes back marked, its tokens never rounded or passed on.
            #expect(acme.map(\.tokens) == [0, 100, 50, 70])
            #expect(acme.map(\.problem) == [.negativeTokens, nil, nil, nil])
            #expect(acme.allSatisfy { $0.teamID == "1" && $0.userID == "1" && $0.action == "chat" && !$0.id.isEmpty })
            #expect(acme[1].meterEventIdentifier == "tu_1")
            #expect(acme[1].reportedAt == Self.at(Self.day0, 10, 0, 5))
            #expect(acme[2].createdAt == Self.at(Self.day0, 23, 59, 59))

            let everyone = try await store.usageRows(from: Self.day0, to: Self.day1, customer: nil)
            #expect(everyone.count == 7)
            #expect(everyone.filter { $0.teamID == nil }.map(\.problem) == [.missingTeam])
        }
    }
}
