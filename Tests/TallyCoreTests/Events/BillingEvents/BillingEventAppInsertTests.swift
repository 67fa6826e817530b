import Foundation
import Testing
import TallySandbox
import TallyTestKit
@testable import TallyCore

/// Billing events inserted the way the app's webhook endpoint does (docs/webhooks.md), then processed: the
/// same processor as the catch-up, idempotent per event id and safe against events out of order.
@Suite("Billing events inserted by the app")
struct BillingEventAppInsertTests {
    @Test("the same failed payment delivered twice (webhook and catch-up) gives one state change and one email",
          arguments: StoreBackendUnderTest.all)
    func sameEventTwice(backend: StoreBackendUnderTest) async throws {
        try await BillingEventsWorld.run(on: backend) { world in
            let failed = AppEvent.invoice("evt_fail_1", "invoice.payment_failed", at: 1_800_000_100, customer: world.customer,
                                          subscription: world.subscription, status: "open")
            try await world.appInserts(failed)
            let first = try await world.drainQueue()
            try await world.appInserts(failed)
            #expect(try await world.drainQueue().isEmpty)
            // A retry of the processor itself (the queue re-running an entry) changes nothing either.
            let again = try await world.processor.process(try #require(try await world.store.stripeEvent(id: "evt_fail_1")))
            #expect(first["evt_fail_1"]?.effect == .applied)
            #expect(again.effect == .alreadyApplied)
            #expect(again.emailsSent == 0)
            #expect(try world.emails().count == 1)
            #expect(try await world.access()?.subscriptionStatus == "past_due")
            let ledger = try await world.store.billingEmails(eventID: "evt_fail_1")
            #expect(ledger.map(\.status) == ["sent"])
            #expect(ledger.first?.recipients == ["ann@acme.test"])
        }
    }

    @Test("an older failed payment processed after a newer success leaves the team active and emails nobody",
          arguments: StoreBackendUnderTest.all)
    func outOfOrder(backend: StoreBackendUnderTest) async throws {
        try await BillingEventsWorld.run(on: backend) { world in
            try await world.appInserts(.subscription("evt_sub", "customer.subscription.updated", at: 1_800_000_000,
                                                     subscription: world.subscription, customer: world.customer,
                                                     status: "active", product: world.product))
            try await world.appInserts(.invoice("evt_paid", "invoice.payment_succeeded", at: 1_800_000_200, customer: world.customer,
                                                subscription: world.subscription, status: "paid", paid: 2_000))
            try await world.drainQueue()
            // The failure happened first but arrives last.
            try await world.appInserts(.invoice("evt_failed_late", "invoice.payment_failed", at: 1_800_000_100, customer: world.customer,
                                                subscription: world.subscription, status: "open"))
            let outcomes = try await world.drainQueue()
            #expect(outcomes["evt_failed_late"]?.effect == .stale)
            // Processed again (the queue retrying it after a later failure), it is still stale and still silent.
            let again = try await world.processor.process(try #require(try await world.store.stripeEvent(id: "evt_failed_late")))
            #expect(again.effect == .stale)
            #expect(try await world.access()?.subscriptionStatus == "active")
            #expect(try await world.store.storedInvoice(id: "in_fixed")?.status == "paid")
            #expect(try world.emails().isEmpty)
        }
    }

    @Test("the access row answers the README's three questions for each subscription status",
          arguments: StoreBackendUnderTest.all, ["trialing", "active", "past_due", "canceled"])
    func accessAnswers(backend: StoreBackendUnderTest, status: String) async throws {
        try await BillingEventsWorld.run(on: backend) { world in
            let type = status == "canceled" ? "customer.subscription.deleted" : "customer.subscription.updated"
            try await world.appInserts(.subscription("evt_\(status)", type, at: 1_800_000_000, subscription: world.subscription,
                                                     customer: world.customer, status: status, product: world.product))
            try await world.drainQueue()
            let entitled = status == "trialing" || status == "active"
            let feature = try await world.ask(.hasFeatureAccess, ["1", "exports"])
            #expect((try feature?["has_access"] as Bool?) == entitled)
            let unknownFeature = try await world.ask(.hasFeatureAccess, ["1", "export"])
            #expect((try unknownFeature?["has_access"] as Bool?) == false)
            let tokens = try await world.ask(.hasTokensRemaining, ["1"])
            #expect((try tokens?["has_tokens"] as Bool?) == entitled)
            let stored = try await world.ask(.getSubscriptionStatus, ["1"])
            #expect((try stored?["subscription_status"] as String?) == status)
        }
    }

    @Test("a team at its cap has no tokens remaining once the caps are read into its row", arguments: StoreBackendUnderTest.all)
    func capsRefresh(backend: StoreBackendUnderTest) async throws {
        try await BillingEventsWorld.run(on: backend) { world in
            try await world.appInserts(.subscription("evt_sub", "customer.subscription.updated", at: 1_800_000_000,
                                                     subscription: world.subscription, customer: world.customer,
                                                     status: "active", product: world.product))
            try await world.drainQueue()
            let now = Date(timeIntervalSince1970: 1_800_000_500)
            try await world.store.saveUsageCaps([UsageCapRecord(
                teamID: "1", periodStart: Date(timeIntervalSince1970: 1_800_000_000), periodEnd: Date(timeIntervalSince1970: 1_802_592_000),
                allowance: 1_000, used: 1_000, blocked: true, blockedAt: now, projectedLimitAt: nil, updatedAt: now)])
            #expect(try await world.store.refreshTeamAccessUsage(now: now) == 1)
            let row = try #require(try await world.access())
            #expect(row.used == 1_000)
            #expect(row.remaining == 0)
            #expect(row.blocked)
            #expect((try await world.ask(.hasTokensRemaining, ["1"])?["has_tokens"] as Bool?) == false)
        }
    }

    @Test("an unknown type is stored and skipped; a payload that does not decode is an error the queue dead-letters",
          arguments: StoreBackendUnderTest.all)
    func badInput(backend: StoreBackendUnderTest) async throws {
        try await BillingEventsWorld.run(on: backend) { world in
            let unknown = StripeEventRecord(eventID: "evt_unknown", eventType: "charge.dispute.created", created: Date(timeIntervalSince1970: 1_800_000_000),
                                            payload: "{}")
            let skipped = try await world.processor.process(unknown)
            #expect(skipped.effect == .skippedUnknownType)
            let broken = StripeEventRecord(eventID: "evt_broken", eventType: "invoice.payment_failed", created: Date(timeIntervalSince1970: 1_800_000_000),
                                           payload: #"{"id":"evt_broken","type":"invoice.payment_failed","created":1800000000,"data":{"object":{"id":"in_1"}}}"#)
            let processor = world.processor
            await #expect(throws: StripeEventPayloadInvalid.self) { try await processor.process(broken) }
        }
    }

    @Test("a team without an owner email is reported once, not on every event", arguments: StoreBackendUnderTest.all)
    func noOwner(backend: StoreBackendUnderTest) async throws {
        try await BillingEventsWorld.run(on: backend, owner: false) { world in
            try await world.appInserts(.invoice("evt_f1", "invoice.payment_failed", at: 1_800_000_100, customer: world.customer,
                                                subscription: world.subscription, status: "open"))
            try await world.appInserts(.invoice("evt_f2", "invoice.payment_failed", at: 1_800_000_200, customer: world.customer,
                                                subscription: world.subscription, status: "open"))
            let outcomes = try await world.drainQueue()
            #expect(outcomes.values.flatMap(\.newProblems).map(\.problem) == ["no_owner_email"])
            #expect(try world.emails().isEmpty)
            #expect(try await world.access()?.subscriptionStatus == "past_due")
        }
    }
}
