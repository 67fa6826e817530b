import Foundation

extension RetryJob {
    /// Sends with at most `width` events in flight, checking the interrupt flag before each new send; on a
    /// stop request the sends in flight are abandoned (their deliveries stay as recorded, and the next run
    /// re-sends them under the same key, which replays Stripe's answer) and the finished ones are kept.
    func send(_ candidates: [RetryCandidate], width: Int) async throws -> [RetryRowResult] {
        let sender = MeterEventSender(stripe: stripe, store: store, clock: clock)
        return try await withThrowingTaskGroup(of: RetryRowResult.self) { group in
            var results: [RetryRowResult] = []
            var next = candidates.makeIterator()
            var inFlight = 0
            var stopped = false
            while true {
                while inFlight < width, !interrupt.isRequested, let candidate = next.next() {
                    group.addTask { try await sender.deliver(candidate) }
                    inFlight += 1
                }
                if interrupt.isRequested { stopped = true }
                let result: RetryRowResult?
                do {
                    result = try await group.next()
                } catch is JobInterrupted {
                    inFlight -= 1
                    stopped = true
                    continue
                }
                guard let result else { break }
                inFlight -= 1
                results.append(result)
            }
            if stopped { throw PartialSend(results: results) }
            return results
        }
    }
}

/// The sends that finished before a stop request, carried out of the task group.
struct PartialSend: Error {
    var results: [RetryRowResult]
}
