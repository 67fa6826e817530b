import Foundation
import Testing
import TallyCore
import TallyTestKit

@Suite("Subscription listings and the synced subscription state in the store")
struct SubscriptionListingStoreTests {
    let start = Date(timeIntervalSince1970: 1_767_225_600)

    func item(_ id: String, subscription: String = "sub_1", quantity: Int64? = 1) -> SubscriptionItemRecord {
        SubscriptionItemRecord(stripeSubscriptionItemID: id, subscriptionID: subscription, customerID: "cus_1",
                               productID: "prod_1", priceID: "price_seat", quantity: quantity, isMetered: false,
                               currentPeriodStart: start, currentPeriodEnd: start.addingTimeInterval(365 * 86_400))
    }

    func listed(_ subscription: String, at offset: TimeInterval, _ change: SubscriptionSync.Change,
                customer: String = "cus_1") -> SubscriptionSync {
        SubscriptionSync(subscriptionID: subscription, eventID: "list@\(offset)", eventCreated: start.addingTimeInterval(offset),
                         change: change, customerID: customer)
    }

    @Test("no listing is recorded at first; the newest recorded one is read back", arguments: StoreBackendUnderTest.all)
    func recordsListings(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore { store, _ in
            #expect(try await store.latestSubscriptionListing() == nil)

            let first = SubscriptionListingRecord(listedAt: start, finishedAt: start.addingTimeInterval(5), reason: .firstRun,
                                                  subscriptions: 3, items: 4)
            let weekly = SubscriptionListingRecord(listedAt: start.addingTimeInterval(7 * 86_400),
                                                   finishedAt: start.addingTimeInterval(7 * 86_400 + 2), reason: .weekly,
                                                   subscriptions: 5, items: 6)
            try await store.recordSubscriptionListing(first)
            try await store.recordSubscriptionListing(weekly)

            #expect(try await store.latestSubscriptionListing() == weekly)
            #expect(try await store.tableNames().contains("tally_subscription_sync_runs"))
        }
    }

    @Test("a listing is stamped with its time: an older event never overwrites it, a newer one does",
          arguments: StoreBackendUnderTest.all)
    func listingStamp(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore { store, _ in
            // Given a subscription listed at +100 with 3 seats
            #expect(try await store.applyListedSubscriptions([listed("sub_1", at: 100, .items([item("si_1", quantity: 3)]))])
                    == [.applied])
            _ = try await store.storeAndQueue([
                StripeEventRecord(eventID: "evt_old", eventType: "customer.subscription.updated",
                                  created: start.addingTimeInterval(90), payload: "{}"),
                StripeEventRecord(eventID: "evt_new", eventType: "customer.subscription.updated",
                                  created: start.addingTimeInterval(110), payload: "{}"),
            ])

            // When an event from before the listing is processed after it
            let old = try await store.completeStripeEvent("evt_old", applying: SubscriptionSync(
                subscriptionID: "sub_1", eventID: "evt_old", eventCreated: start.addingTimeInterval(90),
                change: .items([item("si_1", quantity: 9)])))

            // Then the listed items stay
            #expect(old == .skippedAsStale)
            #expect(try await store.subscriptionItems(subscriptionID: "sub_1").map(\.quantity) == [3])

            // When one from after it is processed
            let new = try await store.completeStripeEvent("evt_new", applying: SubscriptionSync(
                subscriptionID: "sub_1", eventID: "evt_new", eventCreated: start.addingTimeInterval(110),
                change: .items([item("si_1", quantity: 5)])))

            // Then it applies, and an older listing (one that started before that event) does not undo it
            #expect(new == .applied)
            #expect(try await store.applyListedSubscriptions([listed("sub_1", at: 105, .items([item("si_1", quantity: 3)]))])
                    == [.skippedAsStale])
            #expect(try await store.subscriptionItems(subscriptionID: "sub_1").map(\.quantity) == [5])
        }
    }

    @Test("a listed cancellation ends the items; every synced subscription is known with its customer",
          arguments: StoreBackendUnderTest.all)
    func endsAndKnows(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore { store, _ in
            _ = try await store.applyListedSubscriptions([
                listed("sub_1", at: 10, .items([item("si_1")])),
                listed("sub_2", at: 10, .items([item("si_2", subscription: "sub_2")]), customer: "cus_2"),
            ])

            let outcomes = try await store.applyListedSubscriptions([
                listed("sub_1", at: 20, .items([item("si_1")])), listed("sub_2", at: 20, .ended, customer: "cus_2"),
            ])

            #expect(outcomes == [.applied, .applied])
            #expect(try await store.subscriptionItems(subscriptionID: nil).map(\.stripeSubscriptionItemID) == ["si_1"])
            #expect(try await store.syncedSubscriptions() == [
                SyncedSubscription(subscriptionID: "sub_1", customerID: "cus_1", ended: false, syncedAt: start.addingTimeInterval(20)),
                SyncedSubscription(subscriptionID: "sub_2", customerID: "cus_2", ended: true, syncedAt: start.addingTimeInterval(20)),
            ])
        }
    }

    @Test("teams' subscription and customer ids are read from the app's teams", arguments: StoreBackendUnderTest.all)
    func teamReferences(backend: StoreBackendUnderTest) async throws {
        let app = SampleApp(teams: [SampleTeam(id: 1, name: "Acme", stripeCustomerID: "cus_1", stripeSubscriptionID: "sub_1"),
                                    SampleTeam(id: 2, name: "Globex", stripeCustomerID: "cus_2"),
                                    SampleTeam(id: 3, name: "Initech", stripeCustomerID: nil)])
        try await backend.withStore(prepare: { try await SampleAppDatabase.create(at: $0, app: app) }) { store, _ in
            let references = try await store.teamSubscriptionReferences()
            #expect(references == [
                TeamSubscriptionReference(teamID: "1", customerID: "cus_1", subscriptionID: "sub_1"),
                TeamSubscriptionReference(teamID: "2", customerID: "cus_2", subscriptionID: nil),
                TeamSubscriptionReference(teamID: "3", customerID: nil, subscriptionID: nil),
            ])
        }
    }

    @Test("an app whose teams have no stripe_subscription_id names none; a database without teams has none",
          arguments: StoreBackendUnderTest.all)
    func teamReferencesOfOtherSchemas(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore { store, _ in
            let none = try await store.teamSubscriptionReferences()
            #expect(none.isEmpty)
        }
        let ownTeams = ["CREATE TABLE teams (id INTEGER PRIMARY KEY, name TEXT, stripe_customer_id TEXT)",
                        "INSERT INTO teams (id, name, stripe_customer_id) VALUES (7, 'Acme', 'cus_7')"]
        try await backend.withStore(prepare: { try await SampleAppDatabase.execute(ownTeams, at: $0) }) { store, _ in
            let references = try await store.teamSubscriptionReferences()
            #expect(references == [
                TeamSubscriptionReference(teamID: "7", customerID: "cus_7", subscriptionID: nil),
            ])
        }
    }
}
