import Foundation
import Testing
import TallySandbox
import TallyTestKit
@testable import TallyCore

/// Each billing event type as the simulator raises it, through the catch-up path (Stripe's `GET /v1/events`
/// into `stripe_events` and the queue, then the processor).
@Suite("Billing events from the catch-up")
struct BillingEventCatchUpTests {
    @Test("a failed payment makes the team past_due and sends the owners one dunning email with amount, link and next attempt",
          arguments: StoreBackendUnderTest.all)
    func paymentFailed(backend: StoreBackendUnderTest) async throws {
        try await BillingEventsWorld.run(on: backend, paymentsFail: true) { world in
            // Given a subscription that is active
            try await world.catchUp()
            #expect(try await world.access()?.subscriptionStatus == "active")
            // When its first daily period is billed and the payment fails
            world.harness.advance(by: 86_400 + 60)
            let outcomes = try await world.catchUp()
            // Then the team is past_due, and its owner (not the member) got one dunning email
            #expect(try await world.access()?.subscriptionStatus == "past_due")
            let dunning = try world.emails().filter { $0.header("Subject")?.hasPrefix("Payment failed") == true }
            try #require(dunning.count == 1)
            #expect(dunning[0].header("To") == "ann@acme.test")
            let text = try #require(dunning[0].text)
            #expect(text.contains("20.00 USD"))
            #expect(text.contains("https://invoice.stripe.com/i/acct_sandbox/test_in_"))
            #expect(text.contains("We will try again on "))
            #expect(outcomes.values.contains { $0.emailsSent == 1 })
            // And the invoice is stored for the records
            let failed = try #require(world.harness.simulator.state.events.last { $0.type == "invoice.payment_failed" })
            let invoiceID = try #require(failed.object["id"].flatMap { if case .string(let id) = $0 { id } else { nil } })
            #expect(try await world.store.storedInvoice(id: invoiceID)?.status == "open")
        }
    }

    @Test("a paid invoice is recorded and a finalized one stored; the team stays active", arguments: StoreBackendUnderTest.all)
    func paymentSucceeded(backend: StoreBackendUnderTest) async throws {
        try await BillingEventsWorld.run(on: backend) { world in
            world.harness.advance(by: 86_400 + 60)
            try await world.catchUp()
            let paid = try #require(world.harness.simulator.state.events.last { $0.type == "invoice.payment_succeeded" })
            let invoiceID = try #require(paid.object["id"].flatMap { if case .string(let id) = $0 { id } else { nil } })
            let stored = try #require(try await world.store.storedInvoice(id: invoiceID))
            #expect(stored.status == "paid")
            #expect(stored.amountPaid == 2_000)
            #expect(try await world.access()?.subscriptionStatus == "active")
            #expect(try world.emails().isEmpty)
        }
    }

    @Test("a product PLANS does not map gives the access row the features and allowance of its tally_ metadata",
          arguments: StoreBackendUnderTest.all)
    func planFromProductMetadata(backend: StoreBackendUnderTest) async throws {
        try await BillingEventsWorld.run(on: backend, planFromMetadata: true) { world in
            // When the subscription's events are processed with no PLANS entry for its product
            try await world.catchUp()
            // Then the product's own metadata names the features and the allowance
            let access = try #require(try await world.access())
            #expect(access.features == ["basic", "sso"])
            #expect(access.allowance == 5_000)
            // And the product was asked for once, however many events named it
            #expect(world.harness.simulator.requests.filter { $0.path == "/v1/products/\(world.product)" }.count == 1)
        }
    }

    @Test("the subscription's plan gives the access row its features and allowance; a cancellation deprovisions",
          arguments: StoreBackendUnderTest.all)
    func subscriptionLifecycle(backend: StoreBackendUnderTest) async throws {
        try await BillingEventsWorld.run(on: backend) { world in
            try await world.catchUp()
            let active = try #require(try await world.access())
            #expect(active.features == ["basic", "exports"])
            #expect(active.allowance == 1_000)
            #expect(active.subscriptionID == world.subscription)
            world.harness.advance(by: 1)
            _ = try await world.harness.client.send(StripeRequest(method: .delete, path: "/v1/subscriptions/\(world.subscription)"))
            try await world.catchUp()
            let canceled = try #require(try await world.access())
            #expect(canceled.subscriptionStatus == "canceled")
            #expect(canceled.features.isEmpty)
            #expect(try await world.store.subscriptionItems(subscriptionID: world.subscription).isEmpty)
        }
    }

    @Test("a trial about to end warns the owners once and marks the team trialing", arguments: StoreBackendUnderTest.all)
    func trialWillEnd(backend: StoreBackendUnderTest) async throws {
        try await BillingEventsWorld.run(on: backend) { world in
            try world.harness.simulator.state.announceTrialEnd(subscription: world.subscription, in: 3 * 86_400)
            try await world.catchUp()
            try await world.catchUp()
            let warnings = try world.emails().filter { $0.header("Subject")?.contains("your trial ends on") == true }
            #expect(warnings.count == 1)
            #expect(try await world.access()?.subscriptionStatus == "trialing")
        }
    }

    @Test("an upcoming invoice tells the owners the amount and the usage part of it", arguments: StoreBackendUnderTest.all)
    func upcomingInvoice(backend: StoreBackendUnderTest) async throws {
        try await BillingEventsWorld.run(on: backend) { world in
            try await world.catchUp()
            let meter = try #require(world.harness.simulator.state.meters.first)
            _ = world.harness.simulator.state.appendMeterEvents([SimulatedMeterEvent(
                identifier: "u1", eventName: meter.eventName, customer: world.customer, value: 500,
                timestamp: Int64(world.harness.simulator.clock.now().timeIntervalSince1970), receivedAt: Int64(world.harness.simulator.clock.now().timeIntervalSince1970))])
            world.harness.advance(by: 60)
            try world.harness.simulator.state.announceUpcomingInvoice(subscription: world.subscription)
            try await world.catchUp()
            let notice = try #require(try world.emails().first { $0.header("Subject")?.contains("your next invoice") == true })
            let text = try #require(notice.text)
            // 20.00 for the seat plus 500 tokens at 0.03
            #expect(text.contains("charged 35.00 USD"))
            #expect(text.contains("15.00 USD is usage"))
        }
    }

    @Test("customer.updated keeps the customer's name and email current", arguments: StoreBackendUnderTest.all)
    func customerUpdated(backend: StoreBackendUnderTest) async throws {
        try await BillingEventsWorld.run(on: backend) { world in
            _ = try await world.harness.client.send(.post("/v1/customers/\(world.customer)", ["name": "Acme GmbH", "email": "ap@acme.test"]))
            try await world.catchUp()
            let customer = try #require(try await world.store.billingCustomer(id: world.customer))
            #expect(customer.name == "Acme GmbH")
            #expect(customer.email == "ap@acme.test")
        }
    }

    @Test("detaching the last payment method warns the owners; detaching one of two does not", arguments: StoreBackendUnderTest.all)
    func paymentMethods(backend: StoreBackendUnderTest) async throws {
        try await BillingEventsWorld.run(on: backend) { world in
            let state = world.harness.simulator.state
            let first = try state.attachPaymentMethod(customer: world.customer, last4: "4242")
            let second = try state.attachPaymentMethod(customer: world.customer, last4: "1881")
            try await world.catchUp()
            #expect(try await world.store.paymentMethodState(customerID: world.customer).attached.count == 2)

            world.harness.advance(by: 1)
            try state.detachPaymentMethod(first.id)
            try await world.catchUp()
            #expect(try world.emails().isEmpty)

            world.harness.advance(by: 1)
            try state.detachPaymentMethod(second.id)
            try await world.catchUp()
            let warnings = try world.emails()
            try #require(warnings.count == 1)
            #expect(warnings[0].header("Subject") == "Acme has no payment method left")
            #expect(warnings[0].text?.contains("visa ending 1881") == true)
            #expect(try await world.store.paymentMethodState(customerID: world.customer).attached.isEmpty)
        }
    }
}
