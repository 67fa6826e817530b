import Foundation
import Testing
@testable import TallyCore

/// Stripe's own sample event and subscription, read the way `tally-events` reads them.
@Suite("tally-events reads Stripe's own fixtures")
struct StripeEventFixtureTests {
    func fixture(_ key: String) throws -> Any {
        let url = try #require(Bundle.module.url(forResource: "fixtures3", withExtension: "json", subdirectory: "Fixtures"))
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let resources = try #require(root["resources"] as? [String: Any])
        return try #require(resources[key], "fixture \(key)")
    }

    /// JSON text with sorted keys, so two encodings of the same value compare equal.
    func canonical(_ object: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    @Test("an event's stored payload is Stripe's JSON, every key and null kept")
    func payloadIsStripesJSON() throws {
        let event = try fixture("event")
        let fetched = try StripeDecoding.decoder().decode(FetchedStripeEvent.self,
                                                          from: JSONSerialization.data(withJSONObject: event))
        #expect(fetched.record.eventID == "evt_1Pgc76B7WZ01zgkWwyRHS12y")
        #expect(fetched.record.eventType == "plan.created")
        #expect(fetched.record.processed == false)
        let stored = try JSONSerialization.jsonObject(with: Data(fetched.payload.utf8))
        #expect(try canonical(stored) == canonical(event))
        #expect(fetched.payload.contains(#""pending_webhooks":"#))
    }

    @Test("a subscription event becomes its items, periods taken from each item")
    func subscriptionSync() async throws {
        let subscription = try fixture("subscription")
        let event: [String: Any] = ["id": "evt_sub", "object": "event", "type": "customer.subscription.updated",
                                    "created": 1_767_225_600, "data": ["object": subscription]]
        let record = StripeEventRecord(eventID: "evt_sub", eventType: "customer.subscription.updated",
                                       created: Date(timeIntervalSince1970: 1_767_225_600),
                                       payload: try canonical(event))

        let sync = try #require(try await SubscriptionSync.forEvent(record, stripe: UnreachableStripe()))

        #expect(sync.subscriptionID == "sub_1Pgc6rB7WZ01zgkWNy0Cn5nw")
        #expect(sync.change == .items([SubscriptionItemRecord(
            stripeSubscriptionItemID: "si_QXhVnC2h0Jczwc", subscriptionID: "sub_1Pgc6rB7WZ01zgkWNy0Cn5nw",
            customerID: "cus_QXg1o8vcGmoR32", productID: "prod_QXg1hqf4jFNsqG", priceID: "price_1PgafmB7WZ01zgkW6dKueIc5",
            quantity: 1, isMetered: false, currentPeriodStart: Date(timeIntervalSince1970: 1_896_570_518),
            currentPeriodEnd: Date(timeIntervalSince1970: 976_287_773))]))
    }

    @Test("events Tally only records carry nothing to sync; a broken subscription says what is missing")
    func otherTypesAndBrokenPayloads() async throws {
        let invoice = StripeEventRecord(eventID: "evt_inv", eventType: "invoice.paid", created: Date(), payload: "not even JSON")
        #expect(try await SubscriptionSync.forEvent(invoice, stripe: UnreachableStripe()) == nil)

        let broken = StripeEventRecord(
            eventID: "evt_bad", eventType: "customer.subscription.created", created: Date(),
            payload: #"{"id":"evt_bad","object":"event","type":"customer.subscription.created","created":1,"data":{"object":{"id":"sub_1","object":"subscription"}}}"#)
        let error = try await #require(throws: StripeEventPayloadInvalid.self) {
            try await SubscriptionSync.forEvent(broken, stripe: UnreachableStripe())
        }
        #expect(error.description.contains("evt_bad"))
        #expect(error.description.contains("status is missing"))
    }
}

/// A Stripe that must not be called: these payloads carry everything the sync needs.
struct UnreachableStripe: StripeAPI {
    struct Called: Error {}
    func send(_ request: StripeRequest) async throws -> StripeResponse { throw Called() }
}
