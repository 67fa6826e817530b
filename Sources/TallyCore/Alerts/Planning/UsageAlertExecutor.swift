import Foundation
import Logging

/// Carries out a `UsageAlertPlan`: the ledger first, then the caps the app's access check reads, then the
/// sending, each delivery marked after. A failed channel never holds up the others; the ledger keeps it due
/// for the next run.
///
/// Notices go out in batches of `batchSize` teams: one notifier batch (one transaction for the in-app rows,
/// one disk flush for the outbox), then one transaction marking the batch's ledger rows. Two batches are under
/// way at a time, so one renders and encodes its emails on one core while the other waits on the disk and the
/// database. A stop (SIGTERM) starts no further batch and lets the two under way finish and be marked, so the
/// next run sends only the rest; a run killed outright sends the emails and webhooks of the batches it had
/// under way again (their in-app rows are written once whatever happens).
struct UsageAlertExecutor: Sendable {
    /// The ledger, the caps and the owners' addresses.
    var store: any UsageNotificationLedger & UsageCapStore & TeamContactSource
    var notifier: any UsageNotifier
    /// `ALERT_EMAIL`, told when a team reaches the hard limit.
    var opsRecipients: [String]
    var logger: Logger
    var interrupt: InterruptFlag
    var now: Date
    /// Teams per batch: large enough that the fixed cost of a batch (three disk flushes) is small per notice,
    /// small enough that a crash re-sends little and a batch's emails are few in memory.
    var batchSize = 500
    /// Batches under way at once: two keep both cores busy, one rendering while the other writes.
    var batchesInFlight = 2

    /// Notices delivered and channels that failed.
    struct Outcome: Sendable, Equatable {
        var delivered = 0
        var failed = 0
    }

    /// `webhooks`: the teams' webhooks, as read for the plan.
    func execute(_ plan: UsageAlertPlan, webhooks: [String: TeamWebhook]) async throws -> Outcome {
        try await store.claimUsageNotifications(plan.claims)
        try await store.saveUsageCaps(plan.caps)
        for teamID in plan.newlyBlocked { logger.notice("team \(teamID) reached its plan's hard limit and is blocked") }
        for teamID in plan.unblocked { logger.notice("team \(teamID) is under its plan's hard limit again and is unblocked") }

        guard !plan.notices.isEmpty else { return Outcome() }
        let owners = try await store.teamOwnerEmails()
        let size = max(1, batchSize)
        let batches = stride(from: 0, to: plan.notices.count, by: size).map {
            plan.notices[$0..<min($0 + size, plan.notices.count)]
        }
        return try await withThrowingTaskGroup(of: Outcome.self) { group in
            var outcome = Outcome(), next = 0
            // A stop is checked before each batch starts; the batches under way finish and are marked first.
            func startNext() -> Bool {
                guard next < batches.count, !interrupt.isRequested else { return false }
                let teams = batches[next]
                next += 1
                group.addTask { try await send(teams, owners: owners, webhooks: webhooks) }
                return true
            }
            for _ in 0..<max(1, batchesInFlight) { guard startNext() else { break } }
            while let finished = try await group.next() {
                outcome.delivered += finished.delivered
                outcome.failed += finished.failed
                _ = startNext()
            }
            try interrupt.check()
            return outcome
        }
    }

    /// Sends one batch of teams' notices and records in the ledger what went out and what failed.
    private func send(_ teams: ArraySlice<TeamNotices>, owners: [String: [String]], webhooks: [String: TeamWebhook]) async throws -> Outcome {
        var outcome = Outcome()
        var planned: [(teamID: String, notice: ChannelNotice)] = []
        var deliveries: [UsageNoticeDelivery] = []
        for team in teams {
            let recipients = UsageNoticeRecipients(owners: owners[team.teamID] ?? [], webhook: webhooks[team.teamID],
                                                   ops: opsRecipients)
            for notice in team.channels {
                planned.append((team.teamID, notice))
                deliveries.append(UsageNoticeDelivery(notice: notice.notice, channel: notice.channel, recipients: recipients))
            }
        }
        let results = await notifier.deliver(deliveries)

        var sent: [UsageNotificationKey] = []
        var failures: [String: [UsageNotificationKey]] = [:]
        for ((teamID, notice), result) in zip(planned, results) {
            let percent = Int(notice.notice.threshold * 100)
            switch result {
            case .success:
                sent.append(contentsOf: notice.keys)
                outcome.delivered += 1
                logger.info("notified team \(teamID) of \(percent)% on \(notice.channel.rawValue)")
            case .failure(let error):
                // One failed channel never holds up the others; the ledger keeps it due for the next run.
                outcome.failed += 1
                let message = String(describing: error)
                logger.error("team \(teamID): \(notice.channel.rawValue) notification failed, retried next run: \(message)")
                failures[message, default: []].append(contentsOf: notice.keys)
            }
        }
        // Failures sharing a cause (an outbox that cannot be written) are marked together.
        for (message, keys) in failures.sorted(by: { $0.key < $1.key }) {
            try await store.markUsageNotifications(keys, outcome: .failed, error: message, at: now)
        }
        try await store.markUsageNotifications(sent, outcome: .sent, error: nil, at: now)
        return outcome
    }
}
