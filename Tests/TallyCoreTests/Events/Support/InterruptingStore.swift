import Foundation
import TallyCore

/// An event store that behaves like the one it wraps, except that SIGTERM "arrives" right after it has completed
/// `completionsBeforeSignal` events: the moment a real signal would most likely land, mid-queue.
///
/// It wraps only `StripeEventStore`, the role `EventsJob` keeps its events and queue in.
struct InterruptingStore: StripeEventStore {
    let base: any StripeEventStore
    let flag: InterruptFlag
    let completionsBeforeSignal: Int
    private let completions = Counter()

    init(_ base: any StripeEventStore, flag: InterruptFlag, after completionsBeforeSignal: Int) {
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

    // Everything else is the wrapped store's.
    func newestStripeEventCreated() async throws -> Date? { try await base.newestStripeEventCreated() }
    func storedStripeEventIDs(among eventIDs: [String]) async throws -> Set<String> {
        try await base.storedStripeEventIDs(among: eventIDs)
    }
    func storeAndQueue(_ events: [StripeEventRecord]) async throws -> Int { try await base.storeAndQueue(events) }
    func dueStripeEvents(now: Date, after cursor: DueStripeEvent.Cursor?, limit: Int) async throws -> [DueStripeEvent] {
        try await base.dueStripeEvents(now: now, after: cursor, limit: limit)
    }
    func failStripeEvent(_ eventID: String, attempt: EventQueueFailure) async throws {
        try await base.failStripeEvent(eventID, attempt: attempt)
    }
    func stripeEventQueue(status: EventQueueStatus?) async throws -> [EventQueueEntry] {
        try await base.stripeEventQueue(status: status)
    }
    func stripeEvent(id eventID: String) async throws -> StripeEventRecord? { try await base.stripeEvent(id: eventID) }
    func subscriptionItems(subscriptionID: String?) async throws -> [SubscriptionItemRecord] {
        try await base.subscriptionItems(subscriptionID: subscriptionID)
    }
}
