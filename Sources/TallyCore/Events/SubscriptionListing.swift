import Foundation
import Logging

/// The part of `tally-events` that takes billing state from the source: when the schedule says so (first
/// run, a team naming a subscription Tally does not know, the last listing a week old), it lists every
/// Stripe subscription with its items and writes them through the same guarded sync as events.
struct SubscriptionListing: Sendable {
    var store: any SubscriptionListingStore
    var stripe: any StripeAPI
    var logger: Logger
    var clock: any TallyClock
    var interrupt: InterruptFlag
    var schedule: SubscriptionListingSchedule
    /// Subscriptions written per transaction.
    var batchSize: Int

    /// Lists and syncs every subscription if a listing is due; a dry run only says whether one is.
    func runIfDue(dryRun: Bool) async throws -> SubscriptionListingSummary {
        let now = clock.now()
        let previous = try await store.latestSubscriptionListing()
        let reason = schedule.reason(lastListing: previous?.listedAt, now: now,
                                     teams: try await store.teamSubscriptionReferences(),
                                     synced: SyncedSubscriptionIndex(try await store.syncedSubscriptions()))
        var summary = SubscriptionListingSummary(reason: reason, previous: previous?.listedAt, dryRun: dryRun)
        guard let reason, !dryRun else { return summary }
        try interrupt.check()

        // The listing's start stamps every subscription it returns: each is at least that new, so an event
        // older than it (processed later: a retry, a late delivery) never overwrites it, and a newer one does.
        let listedAt = clock.now()
        let stamp = "list@\(JobTimeRange.format(listedAt))"
        let subscriptions = try await stripe.subscriptions(status: "all")
        summary.listed = subscriptions.count
        for start in stride(from: 0, to: subscriptions.count, by: batchSize) {
            try interrupt.check()
            var syncs: [SubscriptionSync] = []
            for subscription in subscriptions[start..<min(start + batchSize, subscriptions.count)] {
                syncs.append(try await SubscriptionSync.forSubscription(subscription, stampedBy: stamp, at: listedAt,
                                                                        stripe: stripe))
            }
            let outcomes = try await store.applyListedSubscriptions(syncs)
            for (sync, outcome) in zip(syncs, outcomes) {
                guard outcome == .applied else { summary.skippedAsStale += 1; continue }
                summary.applied += 1
                switch sync.change {
                case .items(let items): summary.items += items.count
                case .ended: summary.ended += 1
                }
            }
        }
        // Recorded only once every subscription is written: an interrupted listing is repeated next run.
        try await store.recordSubscriptionListing(SubscriptionListingRecord(
            listedAt: listedAt, finishedAt: clock.now(), reason: reason, subscriptions: summary.listed,
            items: summary.items))
        logger.debug("listed subscriptions", metadata: ["reason": "\(reason.rawValue)", "listed": "\(summary.listed)"])
        return summary
    }
}
