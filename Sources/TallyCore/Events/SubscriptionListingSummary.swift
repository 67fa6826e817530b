import Foundation

/// What the subscription listing of one `tally-events` run did.
public struct SubscriptionListingSummary: Sendable, Equatable {
    /// Why it listed; nil when no listing was due.
    public var reason: SubscriptionListingReason?
    /// Subscriptions listed (every status), of which written, left alone because a newer event had synced
    /// them, and ended (canceled): their items removed.
    public var listed = 0
    public var applied = 0
    public var skippedAsStale = 0
    public var ended = 0
    /// Items written for the listed subscriptions.
    public var items = 0
    /// The last complete listing before this run.
    public var previous: Date?
    public var dryRun: Bool

    public init(reason: SubscriptionListingReason?, previous: Date?, dryRun: Bool) {
        self.reason = reason
        self.previous = previous
        self.dryRun = dryRun
    }

    /// A clause for the run's summary line.
    public var line: String {
        guard let reason else {
            return "subscriptions last listed \(previous.map(JobTimeRange.format) ?? "never")"
        }
        let why = switch reason {
        case .firstRun: "first run"
        case .unknownSubscription: "a team names a subscription not synced yet"
        case .weekly: "last listed \(previous.map(JobTimeRange.format) ?? "never")"
        }
        if dryRun { return "would list every subscription (\(why))" }
        var text = "listed \(listed) subscriptions (\(why)): \(applied) synced with \(items) items"
        if ended > 0 { text += ", \(ended) of them ended" }
        if skippedAsStale > 0 { text += ", \(skippedAsStale) already newer from events" }
        return text
    }
}
