import Foundation

/// A client-side token bucket that keeps Tally under Stripe's rate limit, waiting on the injected clock.
///
/// Implemented as GCRA (a virtual-time token bucket): each caller reserves its slot before it waits, so
/// concurrent callers are served in order without a thundering herd. After a 429 the rate halves for a
/// cool-down, then climbs back additively to the configured rate.
public actor RateLimiter {
    /// The configured rate (requests per second); 0 means unlimited.
    public let targetRate: Double
    /// How many calls may go at once after a quiet spell.
    public let burst: Int
    /// How long the halved rate holds after a 429.
    public let coolDown: Duration
    /// How fast the rate recovers after the cool-down, in requests per second per second.
    public let recoveryPerSecond: Double

    private let clock: any TallyClock
    /// Times are kept as seconds since `origin`: small numbers keep full floating-point precision.
    private var origin: Date?
    private var theoreticalArrival: TimeInterval = 0
    private var reducedRate: Double
    private var coolDownEnds: Date?

    public init(ratePerSecond: Double, burst: Int = 5, coolDown: Duration = .seconds(10),
                recoveryPerSecond: Double? = nil, clock: any TallyClock) {
        targetRate = max(0, ratePerSecond)
        self.burst = max(1, burst)
        self.coolDown = coolDown
        self.recoveryPerSecond = recoveryPerSecond ?? max(0.1, ratePerSecond / 10)
        self.clock = clock
        reducedRate = max(0, ratePerSecond)
    }

    /// The rate in force now: reduced after a 429, recovering after the cool-down.
    public var currentRate: Double { rate(at: clock.now()) }

    /// Waits until the caller may send one request.
    public func acquire() async throws {
        guard targetRate > 0 else { return }
        let date = clock.now()
        let origin = self.origin ?? date
        self.origin = origin
        let now = date.timeIntervalSince(origin)
        let interval = 1 / rate(at: date)
        let arrival = max(theoreticalArrival, now)
        let allowedAt = arrival - Double(burst - 1) * interval
        theoreticalArrival = arrival + interval
        let wait = allowedAt - now
        if wait > 0 {
            // One microsecond more than the exact wait, so clock rounding can never let a request in early.
            try await clock.sleep(for: .seconds(wait + 1e-6))
        }
    }

    /// Stripe answered 429: halve the rate for a cool-down.
    public func recordRateLimited() {
        guard targetRate > 0 else { return }
        let now = clock.now()
        reducedRate = max(targetRate / 64, rate(at: now) / 2)
        coolDownEnds = now.addingTimeInterval(coolDown.timeInterval)
    }

    private func rate(at now: Date) -> Double {
        guard let coolDownEnds else { return targetRate }
        let recovering = now.timeIntervalSince(coolDownEnds)
        if recovering <= 0 { return reducedRate }
        let rate = reducedRate + recovering * recoveryPerSecond
        if rate >= targetRate {
            self.coolDownEnds = nil
            return targetRate
        }
        return rate
    }
}
