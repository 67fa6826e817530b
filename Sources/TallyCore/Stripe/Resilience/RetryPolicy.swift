import Foundation

/// When to retry a Stripe call and how long to wait: Stripe's rules, with full-jitter exponential backoff.
public struct RetryPolicy: Sendable {
    /// Attempts per logical request, the first included.
    public var maxAttempts: Int
    public var baseBackoff: Duration
    public var maxBackoff: Duration
    /// Returns a uniformly random number in the range; injectable so tests can pin the jitter.
    public var random: @Sendable (ClosedRange<Double>) -> Double

    public init(
        maxAttempts: Int = 4,
        baseBackoff: Duration = .milliseconds(500),
        maxBackoff: Duration = .seconds(20),
        random: @escaping @Sendable (ClosedRange<Double>) -> Double = { Double.random(in: $0) }
    ) {
        self.maxAttempts = maxAttempts
        self.baseBackoff = baseBackoff
        self.maxBackoff = maxBackoff
        self.random = random
    }

    /// Whether a response with `status` is worth another attempt.
    ///
    /// Stripe's rule: `Stripe-Should-Retry` overrides the status; without it retry 409, 429 (a
    /// `lock_timeout` too) and 5xx, never any other 4xx.
    public func shouldRetry(status: Int, headers: HTTPHeaderFields) -> Bool {
        switch headers["Stripe-Should-Retry"]?.lowercased() {
        case "true": return true
        case "false": return false
        default: return status == 409 || status == 429 || status >= 500
        }
    }

    /// Network errors and timeouts are worth another attempt (a POST carries its Idempotency-Key); a body
    /// past the transport's cap would only be read again to the same cap.
    public func shouldRetry(_ error: HTTPTransportError) -> Bool { error.kind != .responseTooLarge }

    /// The largest delay before the retry that follows failed attempt `attempt` (1-based): `base * 2^(attempt-1)`,
    /// capped at `maxBackoff`.
    public func backoffCeiling(afterAttempt attempt: Int) -> Duration {
        let exponent = Double(max(0, attempt - 1))
        let seconds = min(maxBackoff.timeInterval, baseBackoff.timeInterval * pow(2, exponent))
        return .seconds(seconds)
    }

    /// The delay before the next attempt: a `Retry-After` the server sent (capped at `maxBackoff`), otherwise
    /// full jitter, uniformly random in `0 ... backoffCeiling`.
    public func delay(afterAttempt attempt: Int, retryAfter: Duration? = nil) -> Duration {
        if let retryAfter {
            return min(retryAfter, maxBackoff)
        }
        let ceiling = backoffCeiling(afterAttempt: attempt).timeInterval
        return .seconds(random(0...ceiling))
    }

    /// The `Retry-After` header in seconds, when present and numeric.
    public static func retryAfter(in headers: HTTPHeaderFields) -> Duration? {
        guard let value = headers["Retry-After"], let seconds = Double(value.trimmingCharacters(in: .whitespaces)),
              seconds >= 0 else { return nil }
        return .seconds(seconds)
    }
}
