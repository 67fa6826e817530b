import Foundation
import Testing
@testable import TallyCore

/// `UsageAlertPlanner` on its own: figures in, a plan out, no store and no sending.
@Suite("Usage alert planner: thresholds, ledger, notices and caps")
struct UsageAlertPlannerTests {
    static let periodStart = AlertsScenario.periodStart
    static let periodEnd = AlertsScenario.periodEnd
    static let now = periodStart.addingTimeInterval(10 * 86_400)

    let planner = UsageAlertPlanner(thresholds: AlertThresholds(ratios: [0.5, 0.8, 0.95, 1.0], warning: 0.8, hardLimit: 1.0),
                                    now: Self.now)

    static func team(_ id: String = "1", tokens: Int64 = 1_000, start: Date = periodStart, end: Date = periodEnd) -> TeamPlan {
        TeamPlan(team: TeamRecord(id: id, name: "Team \(id)", stripeCustomerID: "cus_\(id)"), tokens: tokens,
                 period: TeamBillingPeriod(teamID: id, start: start, end: end))
    }

    static func usage(_ tokens: Int64, team: String = "1") -> [PeriodUsage] {
        [PeriodUsage(teamID: team, tokens: tokens)]
    }

    static func ledgerRow(_ threshold: Double, _ channel: AlertChannel, status: UsageNotificationStatus = .sent,
                          team: String = "1", periodStart: Date = periodStart) -> UsageNotificationRecord {
        UsageNotificationRecord(key: UsageNotificationKey(teamID: team, periodStart: periodStart, threshold: threshold, channel: channel),
                                used: 0, allowance: 1_000, status: status, sentAt: periodStart)
    }

    @Test("a jump over several thresholds records each of them but plans one notice per channel, naming the highest")
    func jumpOverThresholds() throws {
        // Given a team at 85 % of its allowance with nothing in the ledger
        // When the run is planned
        let plan = planner.plan(teams: [Self.team()], usage: Self.usage(850), ledger: [], previousCaps: [], teamsWithWebhook: [])

        // Then 50 % and 80 % are claimed on the 80 % level's channels, email and in-app
        #expect(Set(plan.claims.map(\.key.threshold)) == [0.5, 0.8])
        #expect(Set(plan.claims.map(\.key.channel)) == [.email, .inApp])
        #expect(plan.claims.count == 4)
        #expect(plan.recordedThresholds == 2)
        // And one notice goes out per channel, at 80 %, settling both thresholds' rows
        let notices = try #require(plan.notices.first)
        #expect(plan.notices.count == 1)
        #expect(notices.channels.map(\.channel) == [.email, .inApp])
        #expect(notices.channels.allSatisfy { $0.notice.threshold == 0.8 && $0.notice.level == .warning && $0.keys.count == 2 })
        #expect(notices.channels.first?.notice.used == 850)
    }

    @Test("thresholds already in this period's ledger are not claimed again; a new period re-arms them")
    func ledgerOfThisPeriodOnly() {
        // Given 50 % sent in this period and 80 % sent in the previous one
        let ledger = [Self.ledgerRow(0.5, .inApp),
                      Self.ledgerRow(0.8, .email, periodStart: Self.periodStart.addingTimeInterval(-31 * 86_400))]

        // When the team stands at 85 %
        let plan = planner.plan(teams: [Self.team()], usage: Self.usage(850), ledger: ledger, previousCaps: [], teamsWithWebhook: [])

        // Then only 80 % is claimed, for this period
        #expect(plan.claims.map(\.key.threshold) == [0.8, 0.8])
        #expect(plan.claims.allSatisfy { $0.key.periodStart == Self.periodStart })
    }

    @Test("an earlier run's undelivered notice is due again; nothing new and nothing due plans no notice")
    func earlierPendingIsDueAgain() {
        // Given 50 % on in-app sent, and 80 % on email failed last run
        let ledger = [Self.ledgerRow(0.5, .inApp), Self.ledgerRow(0.8, .email, status: .failed),
                      Self.ledgerRow(0.8, .inApp)]

        // When the team still stands at 85 %
        let plan = planner.plan(teams: [Self.team()], usage: Self.usage(850), ledger: ledger, previousCaps: [], teamsWithWebhook: [])

        // Then nothing is claimed, and only the failed email is planned again
        #expect(plan.claims.isEmpty)
        #expect(plan.notices.map(\.channels.count) == [1])
        #expect(plan.notices.first?.channels.first?.channel == .email)
        #expect(plan.notices.first?.channels.first?.keys == [ledger[1].key])
        #expect(plan.evaluations.first?.earlierPending == [ledger[1]])

        // And with everything sent there is nothing to send
        let quiet = planner.plan(teams: [Self.team()], usage: Self.usage(850), ledger: [Self.ledgerRow(0.5, .inApp),
                                 Self.ledgerRow(0.8, .email), Self.ledgerRow(0.8, .inApp)], previousCaps: [], teamsWithWebhook: [])
        #expect(quiet.notices.isEmpty)
        #expect(quiet.evaluations.count == 1)
    }

    @Test("a team with a webhook hears on it too; the hard limit tells ops")
    func webhookAndOps() {
        // Given a team with a webhook at its hard limit
        // When the run is planned
        let plan = planner.plan(teams: [Self.team()], usage: Self.usage(1_000), ledger: [], previousCaps: [],
                                teamsWithWebhook: ["1"])

        // Then every crossed threshold is claimed on email, in-app, ops and the webhook; one notice per channel at 100 %
        #expect(Set(plan.claims.map(\.key.channel)) == [.email, .inApp, .ops, .webhook])
        #expect(plan.claims.count == 4 * 4)
        #expect(plan.notices.first?.channels.map(\.channel) == [.email, .inApp, .ops, .webhook])
        #expect(plan.notices.first?.channels.allSatisfy { $0.notice.level == .limit && $0.notice.threshold == 1.0 } == true)
    }

    @Test("the hard limit blocks a team once, keeps when it was blocked, and an upgrade unblocks it")
    func caps() throws {
        // Given a team at its limit, never blocked before
        let first = planner.plan(teams: [Self.team()], usage: Self.usage(1_200), ledger: [], previousCaps: [], teamsWithWebhook: [])
        // Then it is newly blocked from now
        #expect(first.newlyBlocked == ["1"])
        #expect(first.blocked == 1)
        #expect(first.caps.map(\.blocked) == [true])
        #expect(first.caps.first?.blockedAt == Self.now)

        // Given it was blocked a day ago
        var earlier = try #require(first.caps.first)
        earlier.blockedAt = Self.now.addingTimeInterval(-86_400)
        let again = planner.plan(teams: [Self.team()], usage: Self.usage(1_300), ledger: [], previousCaps: [earlier],
                                 teamsWithWebhook: [])
        // Then it stays blocked since then, and is not newly blocked
        #expect(again.newlyBlocked.isEmpty)
        #expect(again.caps.first?.blockedAt == Self.now.addingTimeInterval(-86_400))

        // When an upgrade raises the allowance above its usage
        let upgraded = planner.plan(teams: [Self.team(tokens: 10_000)], usage: Self.usage(1_300), ledger: [],
                                    previousCaps: [earlier], teamsWithWebhook: [])
        // Then it is unblocked
        #expect(upgraded.unblocked == ["1"])
        #expect(upgraded.blocked == 0)
        #expect(upgraded.caps.first?.blocked == false)
        #expect(upgraded.caps.first?.blockedAt == nil)
    }

    @Test("a zero allowance with any usage is at its limit; with none it is not")
    func zeroAllowance() {
        let used = planner.plan(teams: [Self.team(tokens: 0)], usage: Self.usage(1), ledger: [], previousCaps: [], teamsWithWebhook: [])
        #expect(used.blocked == 1)
        let unused = planner.plan(teams: [Self.team(tokens: 0)], usage: [], ledger: [], previousCaps: [], teamsWithWebhook: [])
        #expect(unused.blocked == 0)
        #expect(unused.claims.isEmpty)
    }

    @Test("teams are planned in id order, each with its own usage")
    func teamOrder() {
        let plan = planner.plan(teams: [Self.team("2"), Self.team("1")], usage: Self.usage(600, team: "2") + Self.usage(100, team: "1"),
                                ledger: [], previousCaps: [], teamsWithWebhook: [])
        #expect(plan.evaluations.map(\.team.id) == ["1", "2"])
        #expect(plan.evaluations.map(\.used) == [100, 600])
        #expect(plan.notices.map(\.teamID) == ["2"])
    }
}
