import Foundation
import Testing
import TallyTestKit
@testable import TallyCore

/// The client's two buckets, shaped like Stripe's limits: the request's path picks the bucket, the key's
/// mode picks the defaults, a 429 lowers only the bucket it hit. Every wait is a sleep on a manual clock,
/// so "waited" and "went at once" are exact, never timed.
@Suite("Stripe client: a general bucket and a meter-event bucket")
struct StripeClientRateLimitTests {
    static let liveKey = Secret("sk_live_51TallyRateLimitTestKey0000")
    static let testKey = Secret("sk_test_51TallyRateLimitTestKey0000")

    func client(key: Secret = liveKey, maxRPS: Double? = nil, meterEventMaxRPS: Double? = nil, clock: ManualClock,
                script: [ScriptedTransport.Answer] = [ScriptedTransport.json(200, "{}")]) -> StripeClient {
        StripeClient(
            configuration: StripeClientConfiguration(apiKey: key, apiBase: "http://stripe.test", maxRequestsPerSecond: maxRPS,
                                                     meterEventMaxRequestsPerSecond: meterEventMaxRPS),
            transport: ScriptedTransport(script), clock: clock, logger: InMemoryLogHandler.logger().0)
    }

    static func meterEvent(_ index: Int) -> StripeRequest {
        .post("/v1/billing/meter_events", ["event_name": "tokens", "identifier": .string("row_\(index)"),
                                          "payload": ["stripe_customer_id": "cus_1", "value": "1"]])
    }

    static let summary = StripeRequest.get("/v1/billing/meters/mtr_1/event_summaries",
                                           ["customer": "cus_1", "start_time": 1_767_225_600, "end_time": 1_767_312_000])

    @Test("a live key gets buckets just under Stripe's live limits: 97/s general, 970/s meter events, each its own")
    func liveDefaults() {
        let limits = StripeClientConfiguration(apiKey: Self.liveKey).rateLimits
        #expect(limits.general == .init(rate: 97))
        #expect(limits.general.burst == 97)
        #expect(limits.meterEvents == .init(rate: 970))
        #expect(limits.meterEvents.burst == 970)
        #expect(!limits.meterEventsDrawOnGeneral)
        #expect(StripeClientConfiguration(apiKey: Secret("rk_live_restricted0000")).rateLimits == limits)
    }

    @Test("a test or simulator key gets 97 % of Stripe's 25/s, and its meter events count toward it, as Stripe counts them")
    func testDefaults() {
        for key in ["sk_test_51abc", "rk_test_51abc", "sk_test_tally"] {
            let limits = StripeClientConfiguration(apiKey: Secret(key)).rateLimits
            #expect(limits.general.rate == 24.25)
            #expect(limits.general.burst == 24)
            #expect(limits.meterEvents == .unlimited)
            #expect(limits.meterEventsDrawOnGeneral)
        }
    }

    @Test("test mode: STRIPE_MAX_RPS paces meter events too, since Stripe counts them toward the basic limit")
    func testModeCeilingPacesMeterEvents() async throws {
        // Given a test-key client whose general bucket is set to 50/s (a simulator limited that high)
        let clock = ManualClock()
        let stripe = client(key: Self.testKey, maxRPS: 50, clock: clock)
        let start = clock.now()
        // When 60 meter events go
        for index in 0..<60 { _ = try await stripe.send(Self.meterEvent(index)) }
        // Then 50 went at once and 10 more at 50/s
        #expect(abs(clock.now().timeIntervalSince(start) - 0.2) < 1e-3)
    }

    @Test("a quiet live client sends the whole general burst at once, then paces at the rate")
    func generalBurstThenRate() async throws {
        // Given a live client that has sent nothing yet
        let clock = ManualClock()
        let stripe = client(clock: clock)
        let start = clock.now()
        // When 97 summary calls go, then 97 more
        for _ in 0..<97 { _ = try await stripe.send(Self.summary) }
        // Then the first 97 went at once
        #expect(clock.now() == start)
        for _ in 0..<97 { _ = try await stripe.send(Self.summary) }
        // And the next 97 took one second at 97/s
        let paced = clock.now().timeIntervalSince(start)
        #expect(paced >= 1.0 && paced < 1.0 + 1e-3)
    }

    @Test("live: a burst of meter events does not delay a summary call, and summaries do not delay meter events")
    func meterEventsHaveTheirOwnBucket() async throws {
        // Given a live client whose buckets are capped at 5/s general and 10/s meter events
        let clock = ManualClock()
        let stripe = client(maxRPS: 5, meterEventMaxRPS: 10, clock: clock)
        let start = clock.now()
        // When it spends the whole general burst, then the whole meter-event burst
        for _ in 0..<5 { _ = try await stripe.send(Self.summary) }
        for index in 0..<10 { _ = try await stripe.send(Self.meterEvent(index)) }
        // Then all 15 went at once: three times what either bucket alone could grant
        #expect(clock.now() == start)
        // And each bucket is now empty on its own: one more meter event waits 1/10 s, not 1/5 s
        _ = try await stripe.send(Self.meterEvent(10))
        #expect(abs(clock.now().timeIntervalSince(start) - 0.1) < 1e-4)
    }

    @Test("live: meter events beyond their burst are paced at their own rate while summaries still go at once")
    func pacedMeterEventsLeaveSummariesAlone() async throws {
        let clock = ManualClock()
        let stripe = client(maxRPS: 5, meterEventMaxRPS: 10, clock: clock)
        let start = clock.now()
        // Given 30 meter events: 10 at once, then 20 at 10/s
        for index in 0..<30 { _ = try await stripe.send(Self.meterEvent(index)) }
        let afterMeterEvents = clock.now()
        #expect(abs(afterMeterEvents.timeIntervalSince(start) - 2.0) < 1e-3)
        // When five summary calls follow
        for _ in 0..<5 { _ = try await stripe.send(Self.summary) }
        // Then they went at once: the meter events spent nothing of the general bucket
        #expect(clock.now() == afterMeterEvents)
    }

    @Test("test mode: meter events spend the general bucket, so the summary after a full burst of them waits")
    func testModeMeterEventsShareTheGeneralLimit() async throws {
        // Given a test-key client (24.25/s, burst 24, meter events counted toward it)
        let clock = ManualClock()
        let stripe = client(key: Self.testKey, clock: clock)
        let start = clock.now()
        // When 24 meter events go, then one summary call
        for index in 0..<24 { _ = try await stripe.send(Self.meterEvent(index)) }
        #expect(clock.now() == start)
        _ = try await stripe.send(Self.summary)
        // Then the summary waited one interval of the shared general bucket
        #expect(abs(clock.now().timeIntervalSince(start) - 1 / 24.25) < 1e-4)
    }

    @Test("a 429 on a meter event is retried, lowers only the meter-event bucket, and it recovers after the cool-down")
    func rateLimitLowersOnlyItsBucket() async throws {
        // Given a live client whose first meter event is answered 429 rate_limit, then 200
        let clock = ManualClock()
        let stripe = client(clock: clock, script: [
            ScriptedTransport.stripeError(429, type: "invalid_request_error", code: "rate_limit", message: "Too many requests"),
            ScriptedTransport.json(200, "{}"),
        ])
        // When it sends the meter event
        let response = try await stripe.send(Self.meterEvent(1))
        // Then the retry absorbed the 429: the call succeeded
        #expect(response.status == 200)
        // And the meter-event bucket runs at half its rate while the general bucket is untouched
        #expect(await stripe.currentMeterEventRateLimit == 485)
        #expect(await stripe.currentRateLimit == 97)
        // And after the cool-down and the additive climb, the meter-event rate is whole again
        clock.advance(by: 3)
        let climbing = await stripe.currentMeterEventRateLimit
        #expect(climbing > 485 && climbing < 970)
        clock.advance(by: 60)
        #expect(await stripe.currentMeterEventRateLimit == 970)
    }

    @Test("a 429 on a summary call lowers the general bucket only")
    func generalRateLimitLeavesMeterEventsAlone() async throws {
        let clock = ManualClock()
        let stripe = client(clock: clock, script: [
            ScriptedTransport.stripeError(429, type: "invalid_request_error", code: "rate_limit", message: "Too many requests"),
            ScriptedTransport.json(200, "{}"),
        ])
        _ = try await stripe.send(Self.summary)
        #expect(await stripe.currentRateLimit == 48.5)
        #expect(await stripe.currentMeterEventRateLimit == 970)
    }

    @Test("a 429 lock_timeout (an object held by another request) is retried without slowing the client")
    func lockTimeoutKeepsTheRate() async throws {
        let clock = ManualClock()
        let stripe = client(clock: clock, script: [
            ScriptedTransport.stripeError(429, type: "invalid_request_error", code: "lock_timeout", message: "Object locked"),
            ScriptedTransport.json(200, "{}"),
        ])
        #expect(try await stripe.send(Self.meterEvent(1)).status == 200)
        #expect(await stripe.currentMeterEventRateLimit == 970)
        #expect(await stripe.currentRateLimit == 97)
    }

    @Test("STRIPE_MAX_RPS caps the general bucket (rate and burst) and leaves meter events at Stripe's default")
    func maxRPSCapsTheGeneralBucket() async throws {
        // Given a live key and STRIPE_MAX_RPS=10, as a team sharing its Stripe budget with the app sets it
        let configuration = try await ConfigurationLoader.load(ConfigurationSources(environment: [
            "STRIPE_SECRET_KEY": Self.liveKey.revealed, "STRIPE_MAX_RPS": "10", "DATABASE_URL": "sqlite:/srv/app/app.sqlite",
        ]))
        let limits = configuration.stripeClientConfiguration.rateLimits
        #expect(limits.general == .init(rate: 10))
        #expect(limits.meterEvents == .init(rate: 970))
        // When 11 summary calls go through a client built from those settings
        let clock = ManualClock()
        let stripe = StripeClient(configuration: configuration.stripeClientConfiguration,
                                  transport: ScriptedTransport([ScriptedTransport.json(200, "{}")]), clock: clock,
                                  logger: InMemoryLogHandler.logger().0)
        let start = clock.now()
        for _ in 0..<11 { _ = try await stripe.send(Self.summary) }
        // Then 10 went at once and the 11th waited 1/10 s
        #expect(abs(clock.now().timeIntervalSince(start) - 0.1) < 1e-4)
    }

    @Test("unset or 0 means the default for the key's mode; any other value is the bucket's rate",
          arguments: [("", "", 97.0, 970.0), ("0", "0", 97, 970), ("40", "300", 40, 300), ("100", "1000", 100, 1000)])
    func ceilings(maxRPS: String, meterEventMaxRPS: String, general: Double, meterEvents: Double) async throws {
        var environment = ["STRIPE_SECRET_KEY": Self.liveKey.revealed, "DATABASE_URL": "sqlite:/srv/app/app.sqlite"]
        if !maxRPS.isEmpty { environment["STRIPE_MAX_RPS"] = maxRPS }
        if !meterEventMaxRPS.isEmpty { environment["STRIPE_METER_EVENT_MAX_RPS"] = meterEventMaxRPS }
        let limits = try await ConfigurationLoader.load(ConfigurationSources(environment: environment))
            .stripeClientConfiguration.rateLimits
        #expect(limits.general.rate == general)
        #expect(limits.meterEvents.rate == meterEvents)
    }

    @Test("a bad STRIPE_METER_EVENT_MAX_RPS is a configuration error (78) naming the key and the range",
          arguments: ["fast", "-1", "5000"])
    func badMeterEventCeiling(value: String) async throws {
        do {
            _ = try await ConfigurationLoader.load(ConfigurationSources(environment: [
                "STRIPE_API_BASE": "http://127.0.0.1:12111", "STRIPE_METER_EVENT_MAX_RPS": value,
                "DATABASE_URL": "sqlite:/srv/app/app.sqlite",
            ]))
            Issue.record("expected a configuration error for \(value)")
        } catch let error as ConfigurationError {
            #expect(error.key == "STRIPE_METER_EVENT_MAX_RPS")
            #expect(error.description.contains("0 to 1000"))
            #expect(error.exitStatus.rawValue == 78)
        }
    }

    @Test("a client configured with 0 (tests and benchmarks only) has no client-side limit on either bucket")
    func zeroSwitchesTheLimiterOff() async throws {
        #expect(StripeClientConfiguration(apiKey: Self.liveKey, maxRequestsPerSecond: 0).rateLimits == .unlimited)
        let clock = ManualClock()
        let stripe = client(maxRPS: 0, clock: clock)
        let start = clock.now()
        for index in 0..<2_000 { _ = try await stripe.send(index.isMultiple(of: 2) ? Self.summary : Self.meterEvent(index)) }
        #expect(clock.now() == start)
    }
}
