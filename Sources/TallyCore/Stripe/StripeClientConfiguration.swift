/// How the live Stripe client connects, paces and retries. Defaults are Stripe-safe.
public struct StripeClientConfiguration: Sendable {
    /// `STRIPE_SECRET_KEY`: an `sk_…` or restricted `rk_…` key. Never logged.
    public var apiKey: Secret
    /// `STRIPE_API_BASE`: `https://api.stripe.com`, or the sandbox simulator's URL.
    public var apiBase: String
    /// `STRIPE_API_VERSION`: sent as `Stripe-Version` so response shapes never change under Tally.
    public var apiVersion: String
    /// `STRIPE_MAX_RPS`: the general bucket's rate, a ceiling for teams that share their Stripe budget with
    /// the app. nil: Stripe's default for the key's mode (`StripeRateLimits`); 0: no client-side limit at all
    /// (tests and benchmarks that measure a server's own limit; the settings never produce it).
    public var maxRequestsPerSecond: Double?
    /// `STRIPE_METER_EVENT_MAX_RPS`: the meter-event bucket's rate; nil: Stripe's default for the
    /// key's mode (none when `maxRequestsPerSecond` is 0); 0: no client-side limit on meter events.
    public var meterEventMaxRequestsPerSecond: Double?
    /// Attempts per request, the first included.
    public var maxAttempts: Int
    /// The first retry waits up to this long; each later one up to twice the previous ceiling.
    public var baseBackoff: Duration
    /// No retry waits longer than this (a `Retry-After` included).
    public var maxBackoff: Duration
    public var connectTimeout: Duration
    /// The whole exchange of one attempt.
    public var requestTimeout: Duration
    /// Consecutive failed calls after which the client stops calling Stripe (exit 69); 0 disables it.
    public var circuitBreakerThreshold: Int
    /// Calls in flight at once.
    public var maxConcurrentRequests: Int
    /// Sent as `User-Agent`.
    public var userAgent: String

    public init(
        apiKey: Secret,
        apiBase: String = "https://api.stripe.com",
        apiVersion: String = "2026-07-29.dahlia",
        maxRequestsPerSecond: Double? = nil,
        meterEventMaxRequestsPerSecond: Double? = nil,
        maxAttempts: Int = 4,
        baseBackoff: Duration = .milliseconds(500),
        maxBackoff: Duration = .seconds(20),
        connectTimeout: Duration = .seconds(10),
        requestTimeout: Duration = .seconds(60),
        circuitBreakerThreshold: Int = 5,
        maxConcurrentRequests: Int = 50,
        userAgent: String = "Tally/\(StripeClientConfiguration.tallyVersion)"
    ) {
        self.apiKey = apiKey
        self.apiBase = apiBase
        self.apiVersion = apiVersion
        self.maxRequestsPerSecond = maxRequestsPerSecond
        self.meterEventMaxRequestsPerSecond = meterEventMaxRequestsPerSecond
        self.maxAttempts = maxAttempts
        self.baseBackoff = baseBackoff
        self.maxBackoff = maxBackoff
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.circuitBreakerThreshold = circuitBreakerThreshold
        self.maxConcurrentRequests = maxConcurrentRequests
        self.userAgent = userAgent
    }

    /// The client's two buckets: Stripe's defaults for the key's mode under the ceilings above.
    public var rateLimits: StripeRateLimits {
        StripeRateLimits.resolved(mode: StripeRateLimits.Mode(apiKey: apiKey), generalCeiling: maxRequestsPerSecond,
                                  meterEventCeiling: meterEventMaxRequestsPerSecond)
    }

    /// Tally's version, as sent in `User-Agent` (defined once, in `TallyVersion`).
    public static var tallyVersion: String { TallyVersion.current }

    /// Checks the settings a person can get wrong, naming the setting to fix.
    public func validate() throws(ConfigurationError) {
        if apiKey.isEmpty {
            throw ConfigurationError(key: "STRIPE_SECRET_KEY", problem: "is not set",
                                     fix: "export it or put it in /etc/tally/tally.env")
        }
        if !(apiBase.hasPrefix("https://") || apiBase.hasPrefix("http://")) {
            throw ConfigurationError(key: "STRIPE_API_BASE", problem: "is not an http(s) URL",
                                     fix: "use https://api.stripe.com or the sandbox URL, e.g. http://127.0.0.1:12111")
        }
        if let rate = maxRequestsPerSecond, rate < 0 || !rate.isFinite {
            throw ConfigurationError(key: "STRIPE_MAX_RPS", problem: "is not a positive number",
                                     fix: "use a positive number of requests per second, or unset it for Stripe's default")
        }
        if let rate = meterEventMaxRequestsPerSecond, rate < 0 || !rate.isFinite {
            throw ConfigurationError(key: "STRIPE_METER_EVENT_MAX_RPS", problem: "is not a positive number",
                                     fix: "use a positive number of meter events per second, or unset it for Stripe's default")
        }
        if maxAttempts < 1 {
            throw ConfigurationError(key: "maxAttempts", problem: "is below 1", fix: "use at least 1")
        }
    }
}
