import Foundation
import Testing
@testable import TallyCore

@Suite("Rate limiter: a token bucket on the injected clock")
struct RateLimiterTests {
    @Test("N acquisitions at R per second take at least (N - burst) / R seconds")
    func holdsTheRate() async throws {
        // Given a limiter at 20/s with a burst of 5 on a manual clock
        let clock = ManualClock()
        let limiter = RateLimiter(ratePerSecond: 20, burst: 5, clock: clock)
        let start = clock.now()
        // When 105 requests acquire one after another
        for _ in 0..<105 { try await limiter.acquire() }
        // Then the clock moved by (105 - 5) / 20 = 5 seconds, and no faster
        let elapsed = clock.now().timeIntervalSince(start)
        #expect(elapsed >= 5.0)
        #expect(elapsed < 5.0 + 1e-4)
    }

    @Test("the burst goes at once after a quiet spell")
    func burst() async throws {
        let clock = ManualClock()
        let limiter = RateLimiter(ratePerSecond: 10, burst: 3, clock: clock)
        let start = clock.now()
        for _ in 0..<3 { try await limiter.acquire() }
        #expect(clock.now() == start)
        try await limiter.acquire()
        #expect(abs(clock.now().timeIntervalSince(start) - 0.1) < 1e-5)
    }

    @Test("a 429 halves the rate for the cool-down, then it recovers additively")
    func backsOffAfter429() async throws {
        // Given a limiter at 20/s that recovers 2/s per second after a 10 s cool-down
        let clock = ManualClock()
        let limiter = RateLimiter(ratePerSecond: 20, burst: 1, coolDown: .seconds(10), recoveryPerSecond: 2, clock: clock)
        // When Stripe answers 429
        await limiter.recordRateLimited()
        // Then the rate is halved during the cool-down
        #expect(await limiter.currentRate == 10)
        let start = clock.now()
        for _ in 0..<11 { try await limiter.acquire() }
        #expect(clock.now().timeIntervalSince(start) >= 1.0)
        // And climbs back gradually, then fully
        clock.advance(by: 10)
        let recovering = await limiter.currentRate
        #expect(recovering > 10 && recovering < 20)
        clock.advance(by: 60)
        #expect(await limiter.currentRate == 20)
    }

    @Test("a rate of 0 means unlimited")
    func unlimited() async throws {
        let clock = ManualClock()
        let limiter = RateLimiter(ratePerSecond: 0, clock: clock)
        let start = clock.now()
        for _ in 0..<1000 { try await limiter.acquire() }
        #expect(clock.now() == start)
    }
}
