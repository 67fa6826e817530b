import Foundation
import Testing
import TallyTestKit
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

    @Test("a quiet bucket grants one second's worth at once, then paces at the rate")
    func defaultBurstIsOneSecond() async throws {
        // Given a limiter at 50/s with the default burst, the shape of Stripe's own bucket
        let clock = ManualClock()
        let limiter = RateLimiter(ratePerSecond: 50, clock: clock)
        #expect(await limiter.burst == 50)
        let start = clock.now()
        // When 50 calls acquire, then 10 more
        for _ in 0..<50 { try await limiter.acquire() }
        // Then the first 50 went at once
        #expect(clock.now() == start)
        for _ in 0..<10 { try await limiter.acquire() }
        // And the next 10 at 50/s: 0.2 s, no faster
        let paced = clock.now().timeIntervalSince(start)
        #expect(paced >= 0.2)
        #expect(paced < 0.2 + 1e-4)
    }

    @Test("after a quiet spell the burst is available again, never more than the bucket holds")
    func refillsToTheBurst() async throws {
        let clock = ManualClock()
        let limiter = RateLimiter(ratePerSecond: 10, clock: clock)
        for _ in 0..<10 { try await limiter.acquire() }
        // Given a minute of quiet (600 tokens' worth of time)
        clock.advance(by: 60)
        let start = clock.now()
        // When 11 calls acquire
        for _ in 0..<11 { try await limiter.acquire() }
        // Then only the bucket's 10 went at once: the 11th waited one interval
        #expect(abs(clock.now().timeIntervalSince(start) - 0.1) < 1e-4)
    }

    @Test("a 429 empties the bucket: the next call waits an interval at the lowered rate, not a burst")
    func rateLimitEmptiesTheBucket() async throws {
        // Given a full bucket of 20 at 20/s
        let clock = ManualClock()
        let limiter = RateLimiter(ratePerSecond: 20, clock: clock)
        // When Stripe answers 429
        await limiter.recordRateLimited(sentAt: clock.now())
        let start = clock.now()
        try await limiter.acquire()
        // Then the next call waits 1/10 s (the halved rate) instead of going at once
        #expect(abs(clock.now().timeIntervalSince(start) - 0.1) < 1e-4)
    }

    @Test("429s to calls sent before the last back-off lower the rate once, not once each")
    func inFlightRateLimitsHalveOnce() async throws {
        // Given 8 calls sent at once at 40/s
        let clock = ManualClock()
        let limiter = RateLimiter(ratePerSecond: 40, clock: clock)
        let sent = clock.now()
        clock.advance(by: 0.05)
        // When all 8 come back 429, one after another
        for _ in 0..<8 { await limiter.recordRateLimited(sentAt: sent) }
        // Then the rate is halved once (not divided by 256)
        #expect(await limiter.currentRate == 20)
        // And a call sent after the back-off that is refused again halves it again
        clock.advance(by: 0.5)
        await limiter.recordRateLimited(sentAt: clock.now().addingTimeInterval(-0.01))
        #expect(await limiter.currentRate == 10)
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

    @Test("a run of 429s slows the bucket for the cool-down and the climb, never for a minute")
    func cascadeOfRateLimitsDoesNotStall() async throws {
        // Given a limiter at Stripe's live default whose calls keep meeting 429s: six halvings, down to 1.5/s
        let clock = ManualClock()
        let limiter = RateLimiter(ratePerSecond: 97, clock: clock)
        for _ in 0..<6 {
            await limiter.recordRateLimited()
            clock.advance(by: 0.01)
        }
        #expect(await limiter.currentRate < 2)
        // While the rate is that low, the next call waits about one interval at it, not a burst's worth
        var start = clock.now()
        try await limiter.acquire()
        #expect(clock.now().timeIntervalSince(start) < 1)
        // When the cool-down and the climb are over
        clock.advance(by: 10)
        #expect(await limiter.currentRate == 97)
        // Then the next call goes within one interval at the whole rate, not after the minute that emptying
        // the bucket at 1.5/s would take
        start = clock.now()
        try await limiter.acquire()
        #expect(clock.now().timeIntervalSince(start) < 0.05)
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
