import Foundation

/// A client-side token bucket that keeps Tally under Stripe's rate limit, waiting on the injected clock.
///
/// Implemented as GCRA (a virtual-time token bucket): each caller reserves its slot before it waits, so
/// concurrent callers are served in order without a thundering herd. A quiet bucket is full: its whole
/// burst goes at once, then calls are paced at the rate. After a 429 the bucket is emptied and the rate
/// halves for a cool-down, then climbs back additively to the configured rate.
public actor RateLimiter {
    /// The configured rate (requests per second); 0 means unlimited.
    public let targetRate: Double
    /// How many calls may go at once after a quiet spell (the bucket's size).
    public let burst: Int
    /// How long the halved rate holds after a 429.
    public let coolDown: Duration
    /// How fast the rate recovers after the cool-down, in requests per second per second.
    ///
    /// The defaults (2 s at half rate, then back to whole within 2 s) keep a 429 from costing more than
    /// about 1.5 s of the budget: a night that starts into a bucket the app has just drained loses that
    /// second, not the 7 s a 10 s cool-down with a slow climb cost. A 429 again halves again.
    public let recoveryPerSecond: Double

    private let clock: any TallyClock
    /// Times are kept as seconds since `origin`: small numbers keep full floating-point precision.
    private var origin: Date?
    private var theoreticalArrival: TimeInterval = 0
    private var reducedRate: Double
    private var coolDownEnds: Date?
    /// When the rate was last lowered: a 429 to a call sent before then was already answered for.
    private var lastBackOff: Date?
    /// The interval `theoreticalArrival` was last advanced by: when the rate changes, the calls already
    /// reserved ahead are re-counted at the new rate.
    private var reservedInterval: TimeInterval?

    /// - Parameter burst: the bucket's size; nil means one second's worth at the rate, the shape of
    ///   Stripe's own bucket (and of the simulator's).
    public init(ratePerSecond: Double, burst: Int? = nil, coolDown: Duration = .seconds(2),
                recoveryPerSecond: Double? = nil, clock: any TallyClock) {
        targetRate = max(0, ratePerSecond)
        self.burst = max(1, burst ?? Int(ratePerSecond.rounded(.down)))
        self.coolDown = coolDown
        self.recoveryPerSecond = recoveryPerSecond ?? max(0.1, ratePerSecond / 4)
        self.clock = clock
        reducedRate = max(0, ratePerSecond)
    }

    /// The rate in force now: reduced after a 429, recovering after the cool-down.
    public var currentRate: Double { rate(at: clock.now()) }

    /// Waits until the caller may send one request.
    public func acquire() async throws {
        guard targetRate > 0 else { return }
        let date = clock.now()
        let now = seconds(date)
        let interval = 1 / rate(at: date)
        // The calls reserved ahead (an emptied bucket counts as a burst of them) drain at the rate in force
        // now: kept in seconds at the lowest rate of a run of 429s, they would hold every call back for a
        // minute after the rate had climbed back.
        if let reserved = reservedInterval, reserved != interval, theoreticalArrival > now {
            theoreticalArrival = now + (theoreticalArrival - now) / reserved * interval
        }
        reservedInterval = interval
        let arrival = max(theoreticalArrival, now)
        let allowedAt = arrival - Double(burst - 1) * interval
        theoreticalArrival = arrival + interval
        let wait = allowedAt - now
        // Summing intervals leaves rounding dust (1e-15 s after a burst of 50): that is not a wait.
        if wait > 1e-9 {
            // One microsecond more than the exact wait, so clock rounding can never let a request in early.
            try await clock.sleep(for: .seconds(wait + 1e-6))
        }
    }

    /// Stripe answered 429 to a call sent at `sentAt`: empty the bucket and halve the rate for a cool-down.
    ///
    /// Calls already in flight when the rate was lowered answer 429 too; they were sent under the old rate
    /// and do not halve it again, so a burst of 429s costs one halving, not one per call.
    public func recordRateLimited(sentAt: Date? = nil) {
        guard targetRate > 0 else { return }
        let date = clock.now()
        if let sentAt, let lastBackOff, sentAt < lastBackOff { return }
        reducedRate = max(targetRate / 64, rate(at: date) / 2)
        coolDownEnds = date.addingTimeInterval(coolDown.timeInterval)
        lastBackOff = date
        // Stripe's bucket is empty: the next call waits one interval at the lowered rate, not a burst.
        let now = seconds(date)
        if let reserved = reservedInterval, theoreticalArrival > now {
            theoreticalArrival = now + (theoreticalArrival - now) / reserved / reducedRate
        }
        theoreticalArrival = max(theoreticalArrival, now + Double(burst) / reducedRate)
        reservedInterval = 1 / reducedRate
    }

    private func seconds(_ date: Date) -> TimeInterval {
        let origin = self.origin ?? date
        self.origin = origin
        return date.timeIntervalSince(origin)
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
