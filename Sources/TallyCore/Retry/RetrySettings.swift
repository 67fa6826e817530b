import Foundation

/// How `tally-retry` picks and sends, with defaults that suit a nightly run.
public struct RetrySettings: Sendable, Equatable {
    /// Unreported rows younger than this are left alone: the app may still be sending them.
    public var gracePeriod: TimeInterval
    /// Meter events in flight at once; the Stripe client rate-limits itself below this.
    public var concurrentSends: Int

    public init(gracePeriod: TimeInterval = 15 * 60, concurrentSends: Int = 32) {
        self.gracePeriod = gracePeriod
        self.concurrentSends = max(1, concurrentSends)
    }
}
