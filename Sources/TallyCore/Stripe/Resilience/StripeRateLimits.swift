/// Stripe's documented rate limits, and the two client-side buckets Tally keeps just under them.
///
/// Stripe's figures (checked 2026-11):
/// - every endpoint: 100 requests/s in live mode, 25/s in test mode and sandboxes
///   (https://docs.stripe.com/rate-limits; support.stripe.com "rate_limit error when creating bulk API requests");
/// - `POST /v1/billing/meter_events`: 1,000 calls/s in live mode, separate from the limit above; "in test mode
///   and sandbox mode, calls to the meter event and meter event stream endpoint count toward the basic limit"
///   (https://docs.stripe.com/billing/subscriptions/usage-based/recording-usage-api, "Rate limits"). Stripe
///   documents no test-mode figure of their own, so with a test key meter events draw on the general bucket too.
///
/// Stripe's limiter is a token bucket; the simulator models one whose burst is one second's worth at the
/// rate. Tally's buckets have the same shape at `headroom` of Stripe's rate, so a quiet client sends its first
/// calls at once and jitter on the way to Stripe never tips a paced run over the limit.
public struct StripeRateLimits: Sendable, Equatable {
    /// One bucket: a rate of 0 means no client-side limit.
    public struct Bucket: Sendable, Equatable {
        public var rate: Double
        /// Calls that may go at once after a quiet spell: one second's worth at the rate.
        public var burst: Int { max(1, Int(rate.rounded(.down))) }

        public init(rate: Double) { self.rate = max(0, rate) }

        /// Calls to keep in flight so the bucket stays busy at Stripe's usual latency (a list or a summary
        /// can take half a second): half a second's worth of the rate, at least 8, at most `limit` (all of
        /// it when the bucket has no limit).
        public func callsInFlight(limit: Int) -> Int {
            guard rate > 0 else { return max(1, limit) }
            return max(1, min(limit, max(8, Int((rate / 2).rounded(.up)))))
        }

        public static let unlimited = Bucket(rate: 0)
    }

    /// Which of Stripe's limits a key is held to.
    public enum Mode: String, Sendable {
        case live, test

        /// `sk_live_…` and `rk_live_…` keys are live; every other key (test, sandbox, simulator) is held to
        /// the test-mode limits.
        public init(apiKey: Secret) {
            let key = apiKey.revealed
            self = key.hasPrefix("sk_live_") || key.hasPrefix("rk_live_") ? .live : .test
        }
    }

    /// Every call except the meter-event endpoints.
    public var general: Bucket
    /// `POST /v1/billing/meter_events` and `/v1/billing/meter_event_adjustments`.
    public var meterEvents: Bucket
    /// Test mode: a meter event draws on the general bucket too, as Stripe counts it toward the basic limit
    /// (its own bucket is then unlimited unless `STRIPE_METER_EVENT_MAX_RPS` caps it).
    public var meterEventsDrawOnGeneral: Bool

    public init(general: Bucket, meterEvents: Bucket, meterEventsDrawOnGeneral: Bool) {
        self.general = general
        self.meterEvents = meterEvents
        self.meterEventsDrawOnGeneral = meterEventsDrawOnGeneral
    }

    /// Stripe's general limit in live mode, requests per second.
    public static let stripeLiveRate = 100.0
    /// Stripe's general limit in test mode and sandboxes.
    public static let stripeTestRate = 25.0
    /// Stripe's live-mode limit of the meter-event endpoint, separate from the general one.
    public static let stripeLiveMeterEventRate = 1_000.0
    /// The share of Stripe's rate the defaults use: 3 % spare absorbs network jitter (a paced stream can
    /// arrive bunched) without giving away more of the budget than that.
    public static let headroom = 0.97

    /// The defaults for a key's mode, just under Stripe's limits.
    public static func stripeDefaults(for mode: Mode) -> StripeRateLimits {
        switch mode {
        case .live:
            StripeRateLimits(general: Bucket(rate: stripeLiveRate * headroom),
                             meterEvents: Bucket(rate: stripeLiveMeterEventRate * headroom), meterEventsDrawOnGeneral: false)
        case .test:
            // Meter events share the basic limit: no bucket of their own, the general one paces them.
            StripeRateLimits(general: Bucket(rate: stripeTestRate * headroom), meterEvents: .unlimited,
                             meterEventsDrawOnGeneral: true)
        }
    }

    /// No client-side limit at all: for tests and benchmarks that measure a server's own limit.
    public static let unlimited = StripeRateLimits(general: .unlimited, meterEvents: .unlimited, meterEventsDrawOnGeneral: false)

    /// The buckets for `mode` under the ceilings a team set (`STRIPE_MAX_RPS`, `STRIPE_METER_EVENT_MAX_RPS`).
    ///
    /// A ceiling of nil means Stripe's default; a positive one is the bucket's rate (and one second's worth its
    /// burst): lower than the default for a team sharing its budget with the app, higher only for an account
    /// whose limit Stripe raised, or a simulator. 0 switches that bucket off, and a general 0 with no
    /// meter-event ceiling switches the whole limiter off (tests and benchmarks only).
    public static func resolved(mode: Mode, generalCeiling: Double?, meterEventCeiling: Double?) -> StripeRateLimits {
        var limits = stripeDefaults(for: mode)
        if generalCeiling == 0, meterEventCeiling == nil { return .unlimited }
        limits.general = capped(limits.general, by: generalCeiling)
        limits.meterEvents = capped(limits.meterEvents, by: meterEventCeiling)
        return limits
    }

    private static func capped(_ bucket: Bucket, by ceiling: Double?) -> Bucket {
        guard let ceiling else { return bucket }
        return ceiling > 0 ? Bucket(rate: ceiling) : .unlimited
    }

    /// The paths Stripe limits on their own in live mode. The client sends no v2 meter-event stream calls
    /// (that endpoint has a limit of its own again, 10,000/s), so they are not listed.
    public static let meterEventPaths: Set<String> = ["/v1/billing/meter_events", "/v1/billing/meter_event_adjustments"]

    /// Whether a request to `path` (no query string) is a meter-event call.
    public static func isMeterEvent(path: String) -> Bool {
        meterEventPaths.contains(path)
    }
}
