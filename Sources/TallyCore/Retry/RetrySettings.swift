import Foundation

/// How `tally-retry` sends, with defaults that suit a nightly run.
///
/// There is deliberately no grace period of its own: retry holds back every row younger than
/// `RECONCILE_SETTLE_MINUTES`, the same delay reconciliation uses, because the app may still be sending
/// such a row under an identifier Tally cannot see (a re-send would then be counted twice).
public struct RetrySettings: Sendable, Equatable {
    /// Meter events in flight at once; the Stripe client rate-limits itself below this.
    public var concurrentSends: Int

    public init(concurrentSends: Int = 32) {
        self.concurrentSends = max(1, concurrentSends)
    }
}
