/// Failures the simulator injects, replaceable at run time (`setFaults` or `POST /_sandbox/faults`).
public struct FaultPlan: Sendable, Equatable, Codable {
    /// Share of requests (0...1) answered with 500 `api_error`, `Stripe-Should-Retry` unset.
    public var errorRate: Double
    /// Delay added to every response, scheduled on the event loop (never a blocking sleep).
    public var latency: Duration
    /// Extra random delay, uniformly 0...latencyJitter, added to `latency`.
    public var latencyJitter: Duration
    /// Share of requests (0...1) whose connection is closed without a response.
    public var dropConnectionRate: Double
    /// Overall requests per second before 429 `rate_limit` (nil = unlimited), like Stripe's general limit:
    /// meter events sent with a live key do not count toward it (Stripe limits them on their own), those
    /// sent with a test key do (Stripe counts them toward the basic limit in test mode and sandboxes).
    public var rateLimit: Double?
    /// The general bucket's size (nil: one second's worth at `rateLimit`, the shape of Stripe's bucket).
    public var rateLimitBurst: Int?
    /// Meter events per second (`/v1/billing/meter_events` and `meter_event_adjustments`) a live key may
    /// send before 429 `rate_limit` (nil = unlimited). Default: Stripe's live figure, 1,000.
    public var meterEventRateLimit: Double?
    /// The meter-event bucket's size (nil: one second's worth at `meterEventRateLimit`).
    public var meterEventBurst: Int?
    /// Requests per second per path prefix, e.g. `"/v1/billing/meter_events": 1000`.
    public var endpointRateLimits: [String: Double]
    /// The next N Stripe API requests get 429 `rate_limit`.
    public var burst429Count: Int
    /// Share of recorded events (0...1) marked as failed webhook deliveries (`delivery_success=false`).
    public var failedDeliveryRate: Double
    /// Share of requests (0...1) Stripe processes and then answers 500 `api_error`: the 500 is stored under
    /// the Idempotency-Key and replayed, as Stripe does, so only a new key gets past it.
    public var errorAfterApplyRate: Double
    /// Share of requests (0...1) Stripe processes and whose connection then closes without an answer; the
    /// real answer is stored under the Idempotency-Key.
    public var dropAfterApplyRate: Double
    /// Share of requests (0...1) Stripe processes whose 200 reaches the client cut short (a broken proxy or
    /// network): the client cannot read it, though Stripe stored the whole answer.
    public var unreadableSuccessRate: Double
    /// Share of requests (0...1) answered 429 `lock_timeout` (an object lock held elsewhere), before processing.
    public var lockTimeoutRate: Double
    /// A misbehaving list: every list ignores `starting_after` and says `has_more: true`, so the same page
    /// and cursor come back for ever.
    public var repeatListPages: Bool
    /// When set, every 200 is padded with whitespace to this many bytes (still valid JSON): an answer larger
    /// than a client should ever read whole.
    public var oversizedBodyBytes: Int?
    /// When set, only the next N Stripe API requests are exposed to the faults above; later ones are
    /// answered normally (one 500, then a clean retry).
    public var faultyRequests: Int?
    /// Seed of the random generator behind every rate above, so a run is reproducible.
    public var seed: UInt64

    public init(errorRate: Double = 0, latency: Duration = .zero, latencyJitter: Duration = .zero,
                dropConnectionRate: Double = 0, rateLimit: Double? = nil,
                endpointRateLimits: [String: Double] = [:], burst429Count: Int = 0,
                failedDeliveryRate: Double = 0, errorAfterApplyRate: Double = 0, dropAfterApplyRate: Double = 0,
                unreadableSuccessRate: Double = 0, lockTimeoutRate: Double = 0, repeatListPages: Bool = false,
                oversizedBodyBytes: Int? = nil, faultyRequests: Int? = nil, seed: UInt64 = 42,
                rateLimitBurst: Int? = nil, meterEventRateLimit: Double? = FaultPlan.stripeLiveMeterEventRate,
                meterEventBurst: Int? = nil) {
        self.errorRate = errorRate
        self.latency = latency
        self.latencyJitter = latencyJitter
        self.dropConnectionRate = dropConnectionRate
        self.rateLimit = rateLimit
        self.endpointRateLimits = endpointRateLimits
        self.burst429Count = burst429Count
        self.failedDeliveryRate = failedDeliveryRate
        self.errorAfterApplyRate = errorAfterApplyRate
        self.dropAfterApplyRate = dropAfterApplyRate
        self.unreadableSuccessRate = unreadableSuccessRate
        self.lockTimeoutRate = lockTimeoutRate
        self.repeatListPages = repeatListPages
        self.oversizedBodyBytes = oversizedBodyBytes
        self.faultyRequests = faultyRequests
        self.seed = seed
        self.rateLimitBurst = rateLimitBurst
        self.meterEventRateLimit = meterEventRateLimit
        self.meterEventBurst = meterEventBurst
    }

    /// Stripe's live-mode limit of the meter-event endpoint, calls per second
    /// (docs.stripe.com/billing/subscriptions/usage-based/recording-usage-api, "Rate limits").
    public static let stripeLiveMeterEventRate = 1_000.0

    private enum CodingKeys: String, CodingKey {
        case errorRate, latencyMs, latencyJitterMs, dropConnectionRate, rateLimit, endpointRateLimits,
             burst429Count, failedDeliveryRate, errorAfterApplyRate, dropAfterApplyRate, unreadableSuccessRate,
             lockTimeoutRate, repeatListPages, oversizedBodyBytes, faultyRequests, seed, rateLimitBurst,
             meterEventRateLimit, meterEventBurst
    }

    /// Decodes the JSON of `POST /_sandbox/faults`; durations are in milliseconds, every key optional
    /// (`meterEventRateLimit` absent: Stripe's 1,000/s; `null`: unlimited).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            errorRate: try container.decodeIfPresent(Double.self, forKey: .errorRate) ?? 0,
            latency: .milliseconds(try container.decodeIfPresent(Int64.self, forKey: .latencyMs) ?? 0),
            latencyJitter: .milliseconds(try container.decodeIfPresent(Int64.self, forKey: .latencyJitterMs) ?? 0),
            dropConnectionRate: try container.decodeIfPresent(Double.self, forKey: .dropConnectionRate) ?? 0,
            rateLimit: try container.decodeIfPresent(Double.self, forKey: .rateLimit),
            endpointRateLimits: try container.decodeIfPresent([String: Double].self, forKey: .endpointRateLimits) ?? [:],
            burst429Count: try container.decodeIfPresent(Int.self, forKey: .burst429Count) ?? 0,
            failedDeliveryRate: try container.decodeIfPresent(Double.self, forKey: .failedDeliveryRate) ?? 0,
            errorAfterApplyRate: try container.decodeIfPresent(Double.self, forKey: .errorAfterApplyRate) ?? 0,
            dropAfterApplyRate: try container.decodeIfPresent(Double.self, forKey: .dropAfterApplyRate) ?? 0,
            unreadableSuccessRate: try container.decodeIfPresent(Double.self, forKey: .unreadableSuccessRate) ?? 0,
            lockTimeoutRate: try container.decodeIfPresent(Double.self, forKey: .lockTimeoutRate) ?? 0,
            repeatListPages: try container.decodeIfPresent(Bool.self, forKey: .repeatListPages) ?? false,
            oversizedBodyBytes: try container.decodeIfPresent(Int.self, forKey: .oversizedBodyBytes),
            faultyRequests: try container.decodeIfPresent(Int.self, forKey: .faultyRequests),
            seed: try container.decodeIfPresent(UInt64.self, forKey: .seed) ?? 42,
            rateLimitBurst: try container.decodeIfPresent(Int.self, forKey: .rateLimitBurst),
            meterEventRateLimit: container.contains(.meterEventRateLimit)
                ? try container.decodeIfPresent(Double.self, forKey: .meterEventRateLimit) : Self.stripeLiveMeterEventRate,
            meterEventBurst: try container.decodeIfPresent(Int.self, forKey: .meterEventBurst)
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(errorRate, forKey: .errorRate)
        try container.encode(Self.milliseconds(latency), forKey: .latencyMs)
        try container.encode(Self.milliseconds(latencyJitter), forKey: .latencyJitterMs)
        try container.encode(dropConnectionRate, forKey: .dropConnectionRate)
        try container.encodeIfPresent(rateLimit, forKey: .rateLimit)
        try container.encode(endpointRateLimits, forKey: .endpointRateLimits)
        try container.encode(burst429Count, forKey: .burst429Count)
        try container.encode(failedDeliveryRate, forKey: .failedDeliveryRate)
        try container.encode(errorAfterApplyRate, forKey: .errorAfterApplyRate)
        try container.encode(dropAfterApplyRate, forKey: .dropAfterApplyRate)
        try container.encode(unreadableSuccessRate, forKey: .unreadableSuccessRate)
        try container.encode(lockTimeoutRate, forKey: .lockTimeoutRate)
        try container.encode(repeatListPages, forKey: .repeatListPages)
        try container.encodeIfPresent(oversizedBodyBytes, forKey: .oversizedBodyBytes)
        try container.encodeIfPresent(faultyRequests, forKey: .faultyRequests)
        try container.encode(seed, forKey: .seed)
        try container.encodeIfPresent(rateLimitBurst, forKey: .rateLimitBurst)
        // Always written, null when unlimited: an absent key means Stripe's default.
        try container.encode(meterEventRateLimit, forKey: .meterEventRateLimit)
        try container.encodeIfPresent(meterEventBurst, forKey: .meterEventBurst)
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}
