import Foundation
import Logging
import Synchronization
import Testing
import TallyTestKit
@testable import TallyCore

/// At 100,000 teams a night's notices are tens of thousands: they are written in batches, a few transactions
/// and disk flushes per batch, and a run that stops between batches has recorded every batch before.
@Suite("tally-alerts sends in batches: few transactions, nothing sent twice after a stop")
struct UsageAlertBatchingTests {
    @Test("1,000 teams' 2,000 notices are recorded in a handful of transactions, not one per notice",
          arguments: StoreBackendUnderTest.all)
    func fewTransactions(backend: StoreBackendUnderTest) async throws {
        try await AlertsScenario.run(on: backend, moreTeams: 1_000) { scenario in
            // Given 1,000 teams at 85 % of their plan: an email and an in-app note each
            let now = scenario.clock.now()
            let period = (start: AlertsScenario.periodStart, end: AlertsScenario.periodEnd)
            let teams = (101...1_100).map { id in
                TeamPlan(team: TeamRecord(id: "\(id)", name: "Team \(id)", stripeCustomerID: "cus_\(id)"), tokens: 1_000,
                         period: TeamBillingPeriod(teamID: "\(id)", start: period.start, end: period.end))
            }
            let plan = UsageAlertPlanner(thresholds: scenario.configuration.usageAlertsSettings.thresholds, now: now).plan(
                teams: teams, usage: teams.map { PeriodUsage(teamID: $0.team.id, tokens: 850) },
                ledger: [], previousCaps: [], teamsWithWebhook: [])
            let store = TransactionCountingStore(base: scenario.store)
            var notifier = try scenario.composition().liveUsageNotifier()
            notifier.store = store
            let executor = UsageAlertExecutor(store: store, notifier: notifier, opsRecipients: [], logger: Logger(label: "test"),
                                              interrupt: InterruptFlag(), now: now)

            // When the plan is carried out in batches of 500 teams
            let outcome = try await executor.execute(plan, webhooks: [:])

            // Then every notice went out and is marked, in 6 transactions: the claims, the caps, and per batch the
            // in-app rows and the marks
            #expect(outcome.delivered == 2_000 && outcome.failed == 0)
            #expect(store.transactions == 6)
            let ledger = try await scenario.store.usageNotifications(periodStartingAtOrAfter: .distantPast)
            #expect(ledger.count == 4_000 && ledger.allSatisfy { $0.status == .sent })
            #expect(try FileManager.default.contentsOfDirectory(atPath: scenario.outbox.path).count == 1_000)
            #expect(try await scenario.store.inAppNotifications(teamID: "1100").map(\.level) == ["warning"])
        }
    }

    @Test("a run stopped mid-way finishes and records the batches under way; the next sends the rest, no email twice",
          arguments: StoreBackendUnderTest.all)
    func stopBetweenBatches(backend: StoreBackendUnderTest) async throws {
        try await AlertsScenario.run(on: backend, moreTeams: 8) { scenario in
            // Given eight teams at 85 % of their plan, sent two teams to a batch, two batches under way at a time
            try await scenario.subscribeMoreTeams(using: 850, count: 8)
            let composition = scenario.composition()
            let stopping = StopAfterFirstBatch(base: try composition.liveUsageNotifier(), interrupt: composition.interrupt)
            var job = composition.usageAlertsJob(notifier: stopping)
            job.noticeBatchSize = 2

            // When the run is stopped (SIGTERM) once its first batch has gone out
            await #expect(throws: JobInterrupted.self) { try await job.evaluate() }

            // Then the two batches under way (four teams) are finished and recorded as sent, the third never
            // started, and the others are still due
            let sentTeams = try await scenario.store.usageNotifications(periodStartingAtOrAfter: .distantPast)
                .filter { $0.status == .sent }.map(\.key.teamID)
            #expect(Set(sentTeams) == ["101", "102", "103", "104"])
            #expect(try scenario.emails().count == 4)

            // And the next run sends the other four, so each owner has exactly one email
            var rerun = scenario.composition().usageAlertsJob(notifier: try scenario.composition().liveUsageNotifier())
            rerun.noticeBatchSize = 2
            let summary = try await rerun.evaluate()
            #expect(summary.delivered == 8)
            let recipients = try scenario.emails().compactMap { $0.header("To") }
            #expect(recipients.sorted() == (101...108).map { "owner\($0)@teams.test" })
            let ledger = try await scenario.store.usageNotifications(periodStartingAtOrAfter: .distantPast)
            #expect(ledger.count == 32 && ledger.allSatisfy { $0.status == .sent })
        }
    }
}

/// The live notifier, and a stop requested (as SIGTERM would) as soon as its first batch has gone out.
private struct StopAfterFirstBatch: UsageNotifier {
    var base: LiveUsageNotifier
    var interrupt: InterruptFlag

    func deliver(_ notice: UsageNotice, on channel: AlertChannel, recipients: UsageNoticeRecipients) async throws {
        try await base.deliver(notice, on: channel, recipients: recipients)
        interrupt.request(signal: SIGTERM)
    }

    func deliver(_ deliveries: [UsageNoticeDelivery]) async -> [Result<Void, any Error>] {
        let results = await base.deliver(deliveries)
        interrupt.request(signal: SIGTERM)
        return results
    }
}

/// The real store, counting the transactions its writes of alerts take (each write is one transaction).
private final class TransactionCountingStore: UsageAlertStore {
    let base: any UsageAlertStore
    private let count = Mutex(0)

    init(base: any UsageAlertStore) { self.base = base }

    var transactions: Int { count.withLock { $0 } }

    private func counted<T>(_ write: () async throws -> T) async rethrows -> T {
        count.withLock { $0 += 1 }
        return try await write()
    }

    func periodUsage(_ periods: [TeamBillingPeriod], now: Date) async throws -> [PeriodUsage] {
        try await base.periodUsage(periods, now: now)
    }
    func teamOwnerEmails() async throws -> [String: [String]] { try await base.teamOwnerEmails() }
    func teamWebhooks() async throws -> [String: TeamWebhook] { try await base.teamWebhooks() }
    func saveTeamWebhook(_ webhook: TeamWebhook) async throws { try await counted { try await base.saveTeamWebhook(webhook) } }
    func usageNotifications(periodStartingAtOrAfter start: Date) async throws -> [UsageNotificationRecord] {
        try await base.usageNotifications(periodStartingAtOrAfter: start)
    }
    func claimUsageNotifications(_ records: [UsageNotificationRecord]) async throws {
        try await counted { try await base.claimUsageNotifications(records) }
    }
    func markUsageNotifications(_ keys: [UsageNotificationKey], outcome: UsageNotificationStatus, error: String?, at: Date) async throws {
        try await counted { try await base.markUsageNotifications(keys, outcome: outcome, error: error, at: at) }
    }
    func insertInAppNotifications(_ notifications: [InAppNotificationRecord]) async throws {
        try await counted { try await base.insertInAppNotifications(notifications) }
    }
    func inAppNotifications(teamID: String) async throws -> [InAppNotificationRecord] { try await base.inAppNotifications(teamID: teamID) }
    func saveUsageCaps(_ caps: [UsageCapRecord]) async throws { try await counted { try await base.saveUsageCaps(caps) } }
    func usageCaps() async throws -> [UsageCapRecord] { try await base.usageCaps() }
}
