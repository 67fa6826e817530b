import Foundation

/// Stripe's per-day values of each customer, fetched as soon as the subscription listing names the
/// customer: the night's Stripe calls start with the first page of subscriptions and keep the rate limiter
/// busy while the app's own aggregate runs, instead of waiting for it.
///
/// One task (`run`) takes the queued customers in listing order and fetches up to `concurrency` of them at
/// once; the comparisons then `values(for:)` each customer, waiting for its fetch if it is still under way.
/// A customer only the app knows was never queued: its comparison fetches for itself.
actor StripeDayPrefetch {
    /// One customer on one meter.
    struct Key: Hashable, Sendable {
        var meterID: String
        var customer: String
    }

    typealias Values = [Date: Int64]
    typealias Fetch = @Sendable (Key) async throws -> Values

    private var queued: Set<Key> = []
    private var results: [Key: Result<Values, any Error>] = [:]
    private var waiting: [Key: [UUID: CheckedContinuation<Values, any Error>]] = [:]
    private nonisolated let keys: AsyncStream<Key>
    private nonisolated let feed: AsyncStream<Key>.Continuation

    init() {
        (keys, feed) = AsyncStream.makeStream(of: Key.self)
    }

    /// Queues `key` for fetching, once.
    func queue(_ key: Key) {
        if queued.insert(key).inserted { feed.yield(key) }
    }

    /// No more keys will be queued: `run` returns once the queued ones are fetched.
    nonisolated func finishQueueing() {
        feed.finish()
    }

    /// Fetches every queued key, `concurrency` at a time, until `finishQueueing` (or cancellation).
    nonisolated func run(concurrency: Int, fetch: @escaping Fetch) async {
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            for await key in keys {
                if running >= max(1, concurrency) {
                    await group.next()
                    running -= 1
                }
                group.addTask {
                    do {
                        await self.fulfil(key, .success(try await fetch(key)))
                    } catch {
                        await self.fulfil(key, .failure(error))
                    }
                }
                running += 1
            }
        }
        // Cancelled before every key was fetched: nobody may wait forever for the rest.
        await failUnfetched()
    }

    /// The values fetched for `key`, waiting for the fetch if needed; nil when `key` was never queued.
    /// A failed fetch throws its error here, to the comparison of that customer.
    func values(for key: Key) async throws -> Values? {
        guard queued.contains(key) else { return nil }
        if let result = results[key] { return try result.get() }
        let id = UUID()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                waiting[key, default: [:]][id] = continuation
            }
        } onCancel: {
            Task { await self.cancelWaiter(key, id) }
        }
    }

    private func fulfil(_ key: Key, _ result: Result<Values, any Error>) {
        results[key] = result
        for continuation in (waiting.removeValue(forKey: key) ?? [:]).values { continuation.resume(with: result) }
    }

    private func cancelWaiter(_ key: Key, _ id: UUID) {
        waiting[key]?.removeValue(forKey: id)?.resume(throwing: CancellationError())
    }

    private func failUnfetched() {
        for key in queued where results[key] == nil { fulfil(key, .failure(CancellationError())) }
    }
}
