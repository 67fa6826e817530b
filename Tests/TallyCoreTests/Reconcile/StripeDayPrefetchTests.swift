import Foundation
import Synchronization
import Testing
@testable import TallyCore

/// The day values fetched ahead while the subscriptions are listed: each customer's comparison gets its
/// own values or its own error, waiting if the fetch is still under way, and never waits forever.
@Suite("Stripe day values fetched ahead")
struct StripeDayPrefetchTests {
    typealias Key = StripeDayPrefetch.Key
    static let day = Date(timeIntervalSince1970: 1_764_000_000)

    @Test("a customer that was never queued is fetched by its comparison, not waited for")
    func neverQueued() async throws {
        let prefetch = StripeDayPrefetch()
        await prefetch.queue(Key(meterID: "mtr_1", customer: "cus_a"))
        #expect(try await prefetch.values(for: Key(meterID: "mtr_1", customer: "cus_b")) == nil)
        #expect(try await prefetch.values(for: Key(meterID: "mtr_2", customer: "cus_a")) == nil)
    }

    @Test("a comparison that asks before the fetch ends gets the values once they arrive")
    func waitsForTheFetch() async throws {
        // Given a fetch held until the comparison is already waiting
        let prefetch = StripeDayPrefetch()
        let release = AsyncStream.makeStream(of: Void.self)
        let key = Key(meterID: "mtr_1", customer: "cus_a")
        await prefetch.queue(key)
        prefetch.finishQueueing()
        async let fetching: Void = prefetch.run(concurrency: 2) { _ in
            for await _ in release.stream {}
            return [Self.day: 42]
        }
        async let asked = prefetch.values(for: key)
        // When the fetch is let go
        release.continuation.finish()
        // Then the waiting comparison gets its values
        #expect(try await asked == [Self.day: 42])
        await fetching
    }

    @Test("a failed fetch is that customer's error only")
    func failureIsPerCustomer() async throws {
        struct Refused: Error {}
        let prefetch = StripeDayPrefetch()
        let good = Key(meterID: "mtr_1", customer: "cus_good")
        let bad = Key(meterID: "mtr_1", customer: "cus_bad")
        await prefetch.queue(bad)
        await prefetch.queue(good)
        prefetch.finishQueueing()
        await prefetch.run(concurrency: 1) { key in
            if key == bad { throw Refused() }
            return [Self.day: 7]
        }
        #expect(try await prefetch.values(for: good) == [Self.day: 7])
        await #expect(throws: Refused.self) { try await prefetch.values(for: bad) }
    }

    @Test("no more than the allowed fetches run at once, and every queued one runs")
    func boundedConcurrency() async throws {
        let prefetch = StripeDayPrefetch()
        let counts = Mutex((running: 0, most: 0, done: 0))
        for index in 0..<20 { await prefetch.queue(Key(meterID: "mtr_1", customer: "cus_\(index)")) }
        prefetch.finishQueueing()
        await prefetch.run(concurrency: 3) { _ in
            counts.withLock { $0.running += 1; $0.most = max($0.most, $0.running) }
            await Task.yield()
            counts.withLock { $0.running -= 1; $0.done += 1 }
            return [:]
        }
        let seen = counts.withLock { $0 }
        #expect(seen.done == 20)
        #expect(seen.most <= 3)
    }

    @Test("when the run is cancelled, a comparison still waiting is told so instead of waiting forever")
    func cancelledRunReleasesWaiters() async throws {
        let prefetch = StripeDayPrefetch()
        let key = Key(meterID: "mtr_1", customer: "cus_a")
        await prefetch.queue(key)
        // The queue stays open and nothing is fetched until the fetching task is cancelled.
        let fetching = Task { await prefetch.run(concurrency: 1) { _ in
            try await Task.sleep(for: .seconds(3_600))
            return [:]
        } }
        let asked = Task { try await prefetch.values(for: key) }
        fetching.cancel()
        await fetching.value
        await #expect(throws: CancellationError.self) { try await asked.value }
    }
}
