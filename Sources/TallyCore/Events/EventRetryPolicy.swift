import Foundation

/// When a failed event is tried again, and when it becomes a dead letter.
public struct EventRetryPolicy: Sendable, Equatable {
    /// Failures after which an entry is `dead` and waits for a person.
    public var maxFailures: Int
    /// The wait after the first failure; it doubles with each failure.
    public var baseDelay: TimeInterval
    /// The longest wait between attempts.
    public var maxDelay: TimeInterval

    public init(maxFailures: Int = 5, baseDelay: TimeInterval = 60, maxDelay: TimeInterval = 6 * 3_600) {
        self.maxFailures = maxFailures
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// What an entry that had failed `previousFailures` times before becomes when it fails again at `now`:
    /// `failed` with `next_retry_at = now + 2^failures minutes` (at most `maxDelay`), or `dead`.
    public func afterFailure(previousFailures: Int, error: String, now: Date) -> EventQueueFailure {
        let failures = previousFailures + 1
        guard failures < maxFailures else {
            return EventQueueFailure(status: .dead, retryCount: failures, nextRetryAt: nil, lastError: error)
        }
        let delay = min(maxDelay, baseDelay * pow(2, Double(min(failures, 30))))
        return EventQueueFailure(status: .failed, retryCount: failures, nextRetryAt: now.addingTimeInterval(delay), lastError: error)
    }
}
