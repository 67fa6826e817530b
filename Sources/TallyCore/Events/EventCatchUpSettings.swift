import Foundation

/// How far back `tally-events` looks, and how it stores and retries.
public struct EventCatchUpSettings: Sendable, Equatable {
    /// How far before the newest stored event the next run starts again, so an event Stripe made visible
    /// late is still caught; the ones seen twice are deduplicated by `event_id`.
    public var overlap: TimeInterval
    /// How far back the first run looks, with nothing stored yet.
    public var firstRunLookback: TimeInterval
    /// Stripe keeps events for 30 days: asking for older ones returns nothing.
    public var retention: TimeInterval
    /// Events stored per transaction, and queue entries read per query.
    public var batchSize: Int
    public var retry: EventRetryPolicy
    /// When every subscription is listed from Stripe (first run, unknown subscription, weekly).
    public var subscriptionListing: SubscriptionListingSchedule

    public init(overlap: TimeInterval = 5 * 60, firstRunLookback: TimeInterval = 3 * 86_400,
                retention: TimeInterval = 30 * 86_400, batchSize: Int = 100, retry: EventRetryPolicy = .init(),
                subscriptionListing: SubscriptionListingSchedule = .init()) {
        self.overlap = overlap
        self.firstRunLookback = firstRunLookback
        self.retention = retention
        self.batchSize = max(1, batchSize)
        self.retry = retry
        self.subscriptionListing = subscriptionListing
    }

    /// Where a run resumes: `--since` when given, else the newest stored event minus the overlap, else the
    /// first-run lookback; never before Stripe's retention.
    public func resumePoint(newestStored: Date?, since: Date?, now: Date) -> Date {
        let wanted = since ?? newestStored.map { $0.addingTimeInterval(-overlap) } ?? now.addingTimeInterval(-firstRunLookback)
        return max(wanted, now.addingTimeInterval(-retention))
    }
}
