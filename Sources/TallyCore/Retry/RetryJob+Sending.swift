import Foundation

extension RetryJob {
    /// Sends with at most `width` events in flight, in batches of `batchSize`: each batch is recorded
    /// `pending` in one transaction before its first send, and the answers are stored `batchSize` at a time
    /// in one transaction each, so the store's commits never pace the sends (one commit per row held a run
    /// to a few dozen events a second, against Stripe's 1,000/s).
    ///
    /// A run killed between a send and the write of its answer loses at most one batch of answers: those rows
    /// stay `pending` with the same attempt count, so the next run sends them under the same Idempotency-Key
    /// and Stripe replays its first answer. The interrupt flag is checked before each new send; on a stop
    /// request the sends in flight are abandoned and the finished ones are stored and kept.
    func send(_ candidates: [RetryCandidate], width: Int, batchSize: Int) async throws -> [RetryRowResult] {
        let sender = MeterEventSender(stripe: stripe, store: store, clock: clock)
        let batchSize = max(1, batchSize)
        return try await withThrowingTaskGroup(of: MeterEventSender.Attempt.self) { group in
            var results: [RetryRowResult] = []
            var answered: [MeterEventDelivery] = []
            var inFlight = 0
            var stopped = false
            do {
                var start = candidates.startIndex
                sending: while start < candidates.endIndex, !interrupt.isRequested {
                    // Recorded while the previous batch's last sends are still in flight.
                    let batch = Array(candidates[start..<min(start + batchSize, candidates.endIndex)])
                    start += batch.count
                    for (candidate, delivery) in try await sender.record(batch) {
                        while inFlight >= width {
                            inFlight -= 1
                            if let attempt = try await Self.next(in: &group, stopped: &stopped) {
                                results.append(attempt.result)
                                answered.append(attempt.delivery)
                            }
                            if answered.count >= batchSize {
                                try await store.updateDeliveries(answered)
                                answered.removeAll(keepingCapacity: true)
                            }
                        }
                        if interrupt.isRequested || stopped { break sending }
                        group.addTask { try await sender.send(candidate, recorded: delivery) }
                        inFlight += 1
                    }
                }
                while inFlight > 0 {
                    inFlight -= 1
                    if let attempt = try await Self.next(in: &group, stopped: &stopped) {
                        results.append(attempt.result)
                        answered.append(attempt.delivery)
                    }
                }
                try await store.updateDeliveries(answered)
            } catch {
                // Stripe's answers already in hand are stored before the run stops: without them the rows
                // would only be replayed, but a rejected key or a lost database must not lose what Stripe said.
                try? await store.updateDeliveries(answered)
                throw error
            }
            if stopped || interrupt.isRequested { throw PartialSend(results: results) }
            return results
        }
    }

    /// The next finished send, or nil for one a stop request cut short (`stopped` is then set).
    private static func next(in group: inout ThrowingTaskGroup<MeterEventSender.Attempt, any Error>,
                             stopped: inout Bool) async throws -> MeterEventSender.Attempt? {
        do {
            return try await group.next()
        } catch is JobInterrupted {
            stopped = true
            return nil
        }
    }
}

/// The sends that finished before a stop request, carried out of the task group.
struct PartialSend: Error {
    var results: [RetryRowResult]
}
