import Foundation
import Logging

/// Carries out a `UsageAlertPlan`: the ledger first, then the caps the app's access check reads, then the
/// sending, each delivery marked after. A failed channel never holds up the others; the ledger keeps it due
/// for the next run.
struct UsageAlertExecutor: Sendable {
    /// The ledger, the caps and the owners' addresses.
    var store: any UsageNotificationLedger & UsageCapStore & TeamContactSource
    var notifier: any UsageNotifier
    /// `ALERT_EMAIL`, told when a team reaches the hard limit.
    var opsRecipients: [String]
    var logger: Logger
    var interrupt: InterruptFlag
    var now: Date

    /// Notices delivered and channels that failed.
    struct Outcome: Sendable, Equatable {
        var delivered = 0
        var failed = 0
    }

    /// `webhooks`: the teams' webhooks, as read for the plan.
    func execute(_ plan: UsageAlertPlan, webhooks: [String: TeamWebhook]) async throws -> Outcome {
        _ = try await store.claimUsageNotifications(plan.claims)
        try await store.saveUsageCaps(plan.caps)
        for teamID in plan.newlyBlocked { logger.notice("team \(teamID) reached its plan's hard limit and is blocked") }
        for teamID in plan.unblocked { logger.notice("team \(teamID) is under its plan's hard limit again and is unblocked") }

        var outcome = Outcome()
        guard !plan.notices.isEmpty else { return outcome }
        let owners = try await store.teamOwnerEmails()
        var sent: [UsageNotificationKey] = []
        for team in plan.notices {
            try interrupt.check()
            let recipients = UsageNoticeRecipients(owners: owners[team.teamID] ?? [], webhook: webhooks[team.teamID],
                                                   ops: opsRecipients)
            for planned in team.channels {
                let percent = Int(planned.notice.threshold * 100)
                do {
                    try await notifier.deliver(planned.notice, on: planned.channel, recipients: recipients)
                    sent.append(contentsOf: planned.keys)
                    outcome.delivered += 1
                    logger.info("notified team \(team.teamID) of \(percent)% on \(planned.channel.rawValue)")
                } catch {
                    // One failed channel never holds up the others; the ledger keeps it due for the next run.
                    outcome.failed += 1
                    let message = String(describing: error)
                    logger.error("team \(team.teamID): \(planned.channel.rawValue) notification failed, retried next run: \(message)")
                    try await store.markUsageNotifications(planned.keys, outcome: .failed, error: message, at: now)
                }
            }
        }
        try await store.markUsageNotifications(sent, outcome: .sent, error: nil, at: now)
        return outcome
    }
}
