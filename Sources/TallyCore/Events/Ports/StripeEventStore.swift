import Foundation

/// Where caught-up Stripe events, their processing queue and the synced subscription items live
/// (`stripe_events`, `stripe_event_queue`, `subscription_items`: the plan's 1.3, 2.2 and 3.1).
public typealias StripeEventStore = StripeEventInbox & StripeEventQueue & SubscriptionItemSource

/// The events stored as they arrive (`stripe_events`), each queued once.
public protocol StripeEventInbox: Sendable {
    /// The `created` time of the newest stored event; nil while none is stored.
    func newestStripeEventCreated() async throws -> Date?
    /// Which of `eventIDs` are already stored, for a dry run's count of what is new.
    func storedStripeEventIDs(among eventIDs: [String]) async throws -> Set<String>
    /// Stores the events not stored yet, each queued `pending`, all in one transaction; an event already
    /// stored is left as it is. Returns how many were new.
    func storeAndQueue(_ events: [StripeEventRecord]) async throws -> Int
    /// One stored event, or nil.
    func stripeEvent(id eventID: String) async throws -> StripeEventRecord?
}

/// The processing queue (`stripe_event_queue`): what is due, and how each attempt ended.
public protocol StripeEventQueue: Sendable {
    /// Up to `limit` queue entries due at `now` (`pending`, or `failed` with `next_retry_at <= now`), oldest
    /// event first, starting after `cursor` (the last entry of the previous batch).
    func dueStripeEvents(now: Date, after cursor: DueStripeEvent.Cursor?, limit: Int) async throws -> [DueStripeEvent]
    /// In one transaction: applies `sync` (unless a newer event already synced that subscription), marks the
    /// queue entry `done` and the event processed.
    func completeStripeEvent(_ eventID: String, applying sync: SubscriptionSync?) async throws -> SubscriptionSyncOutcome
    /// Records a failed attempt: the entry's new status, retry count, next retry and error.
    func failStripeEvent(_ eventID: String, attempt: EventQueueFailure) async throws
    /// The queue entries with `status` (every entry when nil), oldest event first.
    func stripeEventQueue(status: EventQueueStatus?) async throws -> [EventQueueEntry]
}

/// The subscription items the events keep current (`subscription_items`).
public protocol SubscriptionItemSource: Sendable {
    /// The synced items of one subscription (of every subscription when nil), by subscription then item id.
    func subscriptionItems(subscriptionID: String?) async throws -> [SubscriptionItemRecord]
}
