import Foundation
import Testing
import TallyCore
import TallyTestKit

@Suite("Stripe events, their queue and subscription items in the store")
struct StripeEventStoreTests {
    let start = Date(timeIntervalSince1970: 1_767_225_600)

    func event(_ id: String, _ type: String = "invoice.paid", at offset: TimeInterval) -> StripeEventRecord {
        StripeEventRecord(eventID: id, eventType: type, created: start.addingTimeInterval(offset),
                          payload: #"{"id":"\#(id)","object":"event"}"#)
    }

    func item(_ id: String, subscription: String = "sub_1", price: String = "price_seat", quantity: Int64? = 1,
              metered: Bool = false, periodStart: TimeInterval = 0) -> SubscriptionItemRecord {
        SubscriptionItemRecord(stripeSubscriptionItemID: id, subscriptionID: subscription, customerID: "cus_1",
                               productID: "prod_1", priceID: price, quantity: quantity, isMetered: metered,
                               currentPeriodStart: start.addingTimeInterval(periodStart),
                               currentPeriodEnd: start.addingTimeInterval(periodStart + 30 * 86_400))
    }

    @Test("an event is stored and queued once, however often it is handed in", arguments: StoreBackendUnderTest.all)
    func storesOnce(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore { store, _ in
            // Given an empty store
            #expect(try await store.newestStripeEventCreated() == nil)

            // When two events are stored, then one of them again with a new one
            let first = try await store.storeAndQueue([event("evt_1", at: 10), event("evt_2", at: 20)])
            let second = try await store.storeAndQueue([event("evt_2", at: 20), event("evt_3", at: 5)])

            // Then each is stored and queued pending exactly once, payload and all
            #expect(first == 2)
            #expect(second == 1)
            #expect(try await store.stripeEventQueue(status: nil).map(\.eventID) == ["evt_3", "evt_1", "evt_2"])
            #expect(try await store.stripeEventQueue(status: .pending).count == 3)
            #expect(try await store.stripeEvent(id: "evt_2") == event("evt_2", at: 20))
            #expect(try await store.stripeEvent(id: "evt_9") == nil)
            #expect(try await store.storedStripeEventIDs(among: ["evt_1", "evt_9", "evt_3"]) == ["evt_1", "evt_3"])
            #expect(try await store.newestStripeEventCreated() == start.addingTimeInterval(20))
        }
    }

    @Test("due entries come oldest event first, in batches, and a failed one only once its retry time has come",
          arguments: StoreBackendUnderTest.all)
    func dueEntries(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore { store, _ in
            // Given four events in the same second and one older, one failed with a retry in ten minutes,
            // one done and one dead
            _ = try await store.storeAndQueue([event("evt_b", at: 60), event("evt_c", at: 60), event("evt_d", at: 60),
                                               event("evt_e", at: 60), event("evt_a", at: 0)])
            let now = start.addingTimeInterval(3_600)
            try await store.failStripeEvent("evt_c", attempt: EventQueueFailure(
                status: .failed, retryCount: 1, nextRetryAt: now.addingTimeInterval(600), lastError: "payload broken"))
            _ = try await store.completeStripeEvent("evt_d", applying: nil)
            try await store.failStripeEvent("evt_e", attempt: EventQueueFailure(
                status: .dead, retryCount: 5, nextRetryAt: nil, lastError: "payload broken"))

            // When reading what is due now, two at a time
            let firstBatch = try await store.dueStripeEvents(now: now, after: nil, limit: 2)
            let secondBatch = try await store.dueStripeEvents(now: now, after: firstBatch.last?.cursor, limit: 2)

            // Then the pending ones come oldest first and the failed one waits
            #expect(firstBatch.map(\.event.eventID) == ["evt_a", "evt_b"])
            #expect(secondBatch.isEmpty)
            #expect(firstBatch[0].entry == EventQueueEntry(eventID: "evt_a", status: .pending))

            // And once the retry time has come, the failed one is due with its history
            let later = try await store.dueStripeEvents(now: now.addingTimeInterval(600), after: nil, limit: 10)
            #expect(later.map(\.event.eventID) == ["evt_a", "evt_b", "evt_c"])
            #expect(later[2].entry == EventQueueEntry(eventID: "evt_c", status: .failed, retryCount: 1,
                                                      nextRetryAt: now.addingTimeInterval(600), lastError: "payload broken"))
            #expect(try await store.stripeEventQueue(status: .dead).map(\.eventID) == ["evt_e"])
            #expect(try await store.stripeEvent(id: "evt_d")?.processed == true)
            #expect(try await store.stripeEvent(id: "evt_c")?.processed == false)
        }
    }

    @Test("a subscription's items are upserted, the ones it lost deleted, other subscriptions untouched",
          arguments: StoreBackendUnderTest.all)
    func syncsItems(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore { store, _ in
            // Given a subscription synced with a seat item and a metered item, and another subscription
            _ = try await store.storeAndQueue([event("evt_1", "customer.subscription.created", at: 0),
                                               event("evt_2", "customer.subscription.updated", at: 100),
                                               event("evt_3", "customer.subscription.created", at: 50)])
            let seats = item("si_seat", quantity: 3)
            let tokens = item("si_tokens", price: "price_tokens", quantity: nil, metered: true)
            let other = item("si_other", subscription: "sub_2")
            #expect(try await store.completeStripeEvent("evt_1", applying: SubscriptionSync(
                subscriptionID: "sub_1", eventID: "evt_1", eventCreated: start, change: .items([seats, tokens]))) == .applied)
            _ = try await store.completeStripeEvent("evt_3", applying: SubscriptionSync(
                subscriptionID: "sub_2", eventID: "evt_3", eventCreated: start.addingTimeInterval(50), change: .items([other])))

            // When an update drops the metered item and renews the seats for a new period
            let renewed = item("si_seat", quantity: 5, periodStart: 30 * 86_400)
            let outcome = try await store.completeStripeEvent("evt_2", applying: SubscriptionSync(
                subscriptionID: "sub_1", eventID: "evt_2", eventCreated: start.addingTimeInterval(100), change: .items([renewed])))

            // Then sub_1 has exactly the renewed seat item and sub_2 is untouched
            #expect(outcome == .applied)
            #expect(try await store.subscriptionItems(subscriptionID: "sub_1") == [renewed])
            #expect(try await store.subscriptionItems(subscriptionID: nil) == [renewed, other])
            #expect(try await store.stripeEventQueue(status: .done).count == 3)
        }
    }

    @Test("an older event never overwrites newer items, and a cancellation is final", arguments: StoreBackendUnderTest.all)
    func staleEvents(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore { store, _ in
            _ = try await store.storeAndQueue([event("evt_new", "customer.subscription.updated", at: 200),
                                               event("evt_old", "customer.subscription.updated", at: 100),
                                               event("evt_end", "customer.subscription.deleted", at: 300),
                                               event("evt_late", "customer.subscription.updated", at: 300)])
            // Given the newer update applied first
            let newer = item("si_seat", quantity: 7)
            _ = try await store.completeStripeEvent("evt_new", applying: SubscriptionSync(
                subscriptionID: "sub_1", eventID: "evt_new", eventCreated: start.addingTimeInterval(200), change: .items([newer])))

            // When the older update is processed late
            let older = try await store.completeStripeEvent("evt_old", applying: SubscriptionSync(
                subscriptionID: "sub_1", eventID: "evt_old", eventCreated: start.addingTimeInterval(100),
                change: .items([item("si_seat", quantity: 2), item("si_gone")])))

            // Then it is skipped, yet done and processed
            #expect(older == .skippedAsStale)
            #expect(try await store.subscriptionItems(subscriptionID: "sub_1") == [newer])
            #expect(try await store.stripeEvent(id: "evt_old")?.processed == true)

            // And after the cancellation, even an update of the same second brings nothing back
            #expect(try await store.completeStripeEvent("evt_end", applying: SubscriptionSync(
                subscriptionID: "sub_1", eventID: "evt_end", eventCreated: start.addingTimeInterval(300), change: .ended)) == .applied)
            #expect(try await store.completeStripeEvent("evt_late", applying: SubscriptionSync(
                subscriptionID: "sub_1", eventID: "evt_late", eventCreated: start.addingTimeInterval(300),
                change: .items([newer]))) == .skippedAsStale)
            #expect(try await store.subscriptionItems(subscriptionID: "sub_1").isEmpty)
        }
    }

    @Test("completing or failing an event that is not queued is a data error", arguments: StoreBackendUnderTest.all)
    func unknownEvent(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore { store, _ in
            let completing = try await #require(throws: StripeEventNotQueued.self) {
                try await store.completeStripeEvent("evt_missing", applying: nil)
            }
            #expect(completing.exitStatus == .dataError)
            await #expect(throws: StripeEventNotQueued.self) {
                try await store.failStripeEvent("evt_missing", attempt: EventQueueFailure(
                    status: .failed, retryCount: 1, nextRetryAt: nil, lastError: "x"))
            }
        }
    }
}
