import Testing
@testable import TallyCore

@Suite("Circuit breaker")
struct CircuitBreakerTests {
    @Test("opens after N consecutive failures and then fails fast with exit 69")
    func opensAfterThreshold() throws {
        let breaker = CircuitBreaker(threshold: 3)
        #expect(breaker.recordFailure("HTTP 503", endpoint: "GET /v1/a") == nil)
        #expect(breaker.recordFailure("HTTP 503", endpoint: "GET /v1/a") == nil)
        let opened = try #require(breaker.recordFailure("timed out", endpoint: "GET /v1/a"))
        #expect(opened.exitStatus == .unavailable)
        #expect(opened.exitStatus.rawValue == 69)
        #expect(opened.description.hasPrefix("Stripe is unavailable: 3 consecutive calls failed (last: timed out); the job stopped calling Stripe."))
        #expect(breaker.isOpen)
        #expect(throws: StripeError.self) { try breaker.ensureClosed(endpoint: "GET /v1/b") }
    }

    @Test("a success ends the streak and closes it")
    func successCloses() throws {
        let breaker = CircuitBreaker(threshold: 2)
        _ = breaker.recordFailure("x", endpoint: "GET /v1/a")
        breaker.recordSuccess()
        #expect(breaker.recordFailure("x", endpoint: "GET /v1/a") == nil)
        _ = breaker.recordFailure("x", endpoint: "GET /v1/a")
        #expect(breaker.isOpen)
        breaker.recordSuccess()
        #expect(!breaker.isOpen)
        try breaker.ensureClosed(endpoint: "GET /v1/a")
    }
}
