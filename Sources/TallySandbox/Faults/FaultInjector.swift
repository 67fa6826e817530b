import Synchronization

/// Decides, per request, which injected failure (if any) applies; rate limits use real elapsed time.
final class FaultInjector: Sendable {
    /// What happens to one request.
    enum Decision: Equatable {
        case proceed(Processing, Distortion = Distortion())
        case rateLimited
        case lockTimeout
        case dropConnection
    }

    /// What a misbehaving Stripe (or something between) does to an answer it otherwise gets right.
    struct Distortion: Equatable {
        /// Lists ignore `starting_after` and say `has_more: true`.
        var repeatsList = false
        /// A 200's body is padded with whitespace to this many bytes.
        var paddedTo: Int?
    }

    /// How a request that gets past the limits is processed and answered.
    enum Processing: Equatable {
        /// Processed and answered normally.
        case normal
        /// Answered 500 before anything is processed.
        case fail500Before
        /// Processed, then answered 500 (the 500 is what the key replays).
        case fail500After
        /// Processed, then the connection closes without an answer.
        case dropAfter
        /// Processed, then a 200 arrives cut short.
        case unreadableAfter
    }

    private struct Bucket {
        var tokens: Double
        var refilledAt: ContinuousClock.Instant
    }

    private struct State {
        var plan: FaultPlan
        var random: SeededRandom
        var burstRemaining: Int
        /// Requests still exposed to the plan's faults (nil: all of them).
        var faultyRemaining: Int?
        var overall: Bucket?
        var meterEvents: Bucket?
        var endpoints: [String: Bucket] = [:]
    }

    private let state: Mutex<State>

    init(plan: FaultPlan) {
        state = Mutex(State(plan: plan, random: SeededRandom(seed: plan.seed), burstRemaining: plan.burst429Count,
                     faultyRemaining: plan.faultyRequests))
    }

    /// The plan in force.
    var plan: FaultPlan { state.withLock { $0.plan } }

    /// Replaces the plan, restarting its random sequence, burst and rate-limit buckets.
    func replace(with plan: FaultPlan) {
        state.withLock { $0 = State(plan: plan, random: SeededRandom(seed: plan.seed), burstRemaining: plan.burst429Count,
                     faultyRemaining: plan.faultyRequests) }
    }

    /// The paths Stripe limits on their own in live mode.
    static let meterEventPaths: Set<String> = ["/v1/billing/meter_events", "/v1/billing/meter_event_adjustments"]

    /// Decides the fate of a request to `path`, sent with a live-mode key or not.
    func decide(path: String, liveMode: Bool = false) -> Decision {
        let now = ContinuousClock.now
        return state.withLock { state in
            if let remaining = state.faultyRemaining {
                guard remaining > 0 else { return .proceed(.normal) }
                state.faultyRemaining = remaining - 1
            }
            if state.random.chance(state.plan.dropConnectionRate) { return .dropConnection }
            if state.burstRemaining > 0 {
                state.burstRemaining -= 1
                return .rateLimited
            }
            // Stripe: a live meter event draws on the meter-event limit alone; in test mode it counts toward
            // the basic limit like any other call.
            let ownLimit = liveMode && Self.meterEventPaths.contains(path)
            if !ownLimit, let rate = state.plan.rateLimit,
               !Self.take(&state.overall, rate: rate, burst: state.plan.rateLimitBurst, now: now) {
                return .rateLimited
            }
            if ownLimit, let rate = state.plan.meterEventRateLimit,
               !Self.take(&state.meterEvents, rate: rate, burst: state.plan.meterEventBurst, now: now) {
                return .rateLimited
            }
            for (prefix, rate) in state.plan.endpointRateLimits where path.hasPrefix(prefix) {
                if !Self.take(&state.endpoints[prefix], rate: rate, burst: nil, now: now) { return .rateLimited }
            }
            if state.random.chance(state.plan.lockTimeoutRate) { return .lockTimeout }
            if state.random.chance(state.plan.errorRate) { return .proceed(.fail500Before) }
            if state.random.chance(state.plan.errorAfterApplyRate) { return .proceed(.fail500After) }
            if state.random.chance(state.plan.dropAfterApplyRate) { return .proceed(.dropAfter) }
            if state.random.chance(state.plan.unreadableSuccessRate) { return .proceed(.unreadableAfter) }
            return .proceed(.normal, Distortion(repeatsList: state.plan.repeatListPages, paddedTo: state.plan.oversizedBodyBytes))
        }
    }

    /// The delay to add to this response: latency plus uniform jitter.
    func delay() -> Duration {
        state.withLock { state in
            let plan = state.plan
            guard plan.latencyJitter > .zero else { return plan.latency }
            let fraction = Double.random(in: 0...1, using: &state.random)
            return plan.latency + plan.latencyJitter * fraction
        }
    }

    /// Whether to record an event as a failed webhook delivery.
    var failedDeliveryRate: Double { state.withLock { $0.plan.failedDeliveryRate } }

    /// A token bucket holding `burst` requests (default one second's worth, at least one), refilled continuously.
    private static func take(_ bucket: inout Bucket?, rate: Double, burst: Int?, now: ContinuousClock.Instant) -> Bool {
        let capacity = max(1, burst.map(Double.init) ?? rate)
        var current = bucket ?? Bucket(tokens: capacity, refilledAt: now)
        let elapsed = now - current.refilledAt
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        current.tokens = min(capacity, current.tokens + seconds * rate)
        current.refilledAt = now
        defer { bucket = current }
        guard current.tokens >= 1 else { return false }
        current.tokens -= 1
        return true
    }
}
