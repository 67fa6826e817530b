import Testing
@testable import TallyCore

@Suite("Retry policy: Stripe's retry rules and full-jitter backoff")
struct RetryPolicyTests {
    @Test("the backoff ceiling doubles per attempt and stops at maxBackoff")
    func ceilingDoubles() {
        let policy = RetryPolicy(baseBackoff: .milliseconds(500), maxBackoff: .seconds(20))
        let ceilings = (1...8).map { policy.backoffCeiling(afterAttempt: $0).timeInterval }
        #expect(ceilings == [0.5, 1, 2, 4, 8, 16, 20, 20])
    }

    @Test("full jitter draws each delay from zero up to the ceiling")
    func fullJitterBounds() {
        // Given a random source pinned to each end of its range
        let low = RetryPolicy(random: { $0.lowerBound })
        let high = RetryPolicy(random: { $0.upperBound })
        // Then the delays span exactly 0 ... ceiling
        for attempt in 1...6 {
            #expect(low.delay(afterAttempt: attempt) == .zero)
            #expect(high.delay(afterAttempt: attempt) == high.backoffCeiling(afterAttempt: attempt))
        }
    }

    @Test("real random delays stay within bounds and actually vary")
    func realJitter() {
        let policy = RetryPolicy(baseBackoff: .seconds(1), maxBackoff: .seconds(20))
        let delays = (0..<200).map { _ in policy.delay(afterAttempt: 3).timeInterval }
        #expect(delays.allSatisfy { $0 >= 0 && $0 <= 4 })
        #expect(Set(delays).count > 100)
        #expect(delays.min()! < 1 && delays.max()! > 3)
    }

    @Test("Stripe-Should-Retry overrides the status code both ways")
    func shouldRetryHeader() {
        let policy = RetryPolicy()
        #expect(policy.shouldRetry(status: 400, headers: ["Stripe-Should-Retry": "true"]))
        #expect(!policy.shouldRetry(status: 503, headers: ["stripe-should-retry": "false"]))
        #expect(!policy.shouldRetry(status: 429, headers: ["Stripe-Should-Retry": "false"]))
    }

    @Test("without the header 409, 429 and 5xx retry, other 4xx never")
    func statusRules() {
        let policy = RetryPolicy()
        for status in [409, 429, 500, 502, 503, 504] {
            #expect(policy.shouldRetry(status: status, headers: [:]), "status \(status)")
        }
        for status in [400, 401, 402, 403, 404, 422] {
            #expect(!policy.shouldRetry(status: status, headers: [:]), "status \(status)")
        }
    }

    @Test("Retry-After is honoured and capped at maxBackoff")
    func retryAfter() {
        let policy = RetryPolicy(maxBackoff: .seconds(20), random: { $0.upperBound })
        #expect(RetryPolicy.retryAfter(in: ["Retry-After": "3"]) == .seconds(3))
        #expect(RetryPolicy.retryAfter(in: ["Retry-After": "soon"]) == nil)
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(3)) == .seconds(3))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(120)) == .seconds(20))
    }
}
