import Foundation
import TallyCore

/// An event queue that behaves like the one it wraps, except that SIGTERM "arrives" right after it has completed
/// `completionsBeforeSignal` events: the moment a real signal would most likely land, mid-queue.
///
/// It wraps only `StripeEventQueue`, the role `EventsJob` processes its queue through.
struct InterruptingQueue: StripeEventQueue {
    let base: any StripeEventQueue
    let flag: InterruptFlag
    let completionsBeforeSignal: Int
    private let completions = Counter()

    init(_ base: any StripeEventQueue, flag: InterruptFlag, after completionsBeforeSignal: Int) {
        self.base = base
        self.flag = flag
        self.completionsBeforeSignal = completionsBeforeSignal
    }

    func completeStripeEvent(_ eventID: String, applying sync: SubscriptionSync?) async throws -> SubscriptionSyncOutcome {
        let outcome = try await base.completeStripeEvent(eventID, applying: sync)
        if await completions.increment() >= completionsBeforeSignal { flag.request(signal: SIGTERM) }
        return outcome
    }

    private actor Counter {
        var value = 0
        func increment() -> Int {
            value += 1
            return value
        }
    }

    // Everything else is the wrapped queue's.
    func dueStripeEvents(now: Date, after cursor: DueStripeEvent.Cursor?, limit: Int) async throws -> [DueStripeEvent] {
        try await base.dueStripeEvents(now: now, after: cursor, limit: limit)
    }
    func failStripeEvent(_ eventID: String, attempt: EventQueueFailure) async throws {
        try await base.failStripeEvent(eventID, attempt: attempt)
    }
    func stripeEventQueue(status: EventQueueStatus?) async throws -> [EventQueueEntry] {
        try await base.stripeEventQueue(status: status)
    }
}
