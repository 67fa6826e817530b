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
    /// Overall requests per second before 429 `rate_limit` (nil = unlimited).
    public var rateLimit: Double?
    /// Requests per second per path prefix, e.g. `"/v1/billing/meter_events": 1000`.
    public var endpointRateLimits: [String: Double]
    /// The next N Stripe API requests get 429 `rate_limit`.
    public var burst429Count: Int
    /// Share of recorded events (0...1) marked as failed webhook deliveries (`delivery_success=false`).
    public var failedDeliveryRate: Double
    /// Seed of the random generator behind every rate above, so a run is reproducible.
    public var seed: UInt64

    public init(errorRate: Double = 0, latency: Duration = .zero, latencyJitter: Duration = .zero,
                dropConnectionRate: Double = 0, rateLimit: Double? = nil,
                endpointRateLimits: [String: Double] = [:], burst429Count: Int = 0,
                failedDeliveryRate: Double = 0, seed: UInt64 = 42) {
        self.errorRate = errorRate
        self.latency = latency
        self.latencyJitter = latencyJitter
        self.dropConnectionRate = dropConnectionRate
        self.rateLimit = rateLimit
        self.endpointRateLimits = endpointRateLimits
        self.burst429Count = burst429Count
        self.failedDeliveryRate = failedDeliveryRate
        self.seed = seed
    }

    private enum CodingKeys: String, CodingKey {
        case errorRate, latencyMs, latencyJitterMs, dropConnectionRate, rateLimit, endpointRateLimits,
             burst429Count, failedDeliveryRate, seed
    }

    /// Decodes the JSON of `POST /_sandbox/faults`; durations are in milliseconds, every key optional.
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
            seed: try container.decodeIfPresent(UInt64.self, forKey: .seed) ?? 42
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
        try container.encode(seed, forKey: .seed)
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}
