import Foundation

/// The time source for use-cases, rate limiters and backoff, injected so tests never sleep.
public protocol TallyClock: Sendable {
    /// The current wall-clock time.
    func now() -> Date
    /// Suspends for `duration` (or, for a manual clock, moves time forward by it).
    func sleep(for duration: Duration) async throws
}

/// The real clock.
public struct SystemClock: TallyClock {
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(for duration: Duration) async throws {
        try await Task.sleep(for: duration)
    }
}

extension Duration {
    /// The duration in seconds as a floating-point number.
    public var timeInterval: TimeInterval {
        let parts = components
        return TimeInterval(parts.seconds) + TimeInterval(parts.attoseconds) / 1e18
    }
}
