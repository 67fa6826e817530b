import Foundation
import Testing
import TallySandbox

/// The control endpoints that raise billing events, and the events in Stripe's shapes, over loopback HTTP.
@Suite("Billing event controls")
struct BillingEventControlTests {
    @Test("a detached payment method has no customer and names the one it left in previous_attributes")
    func paymentMethods() async throws {
        try await withSandbox { _, client in
            let customer = try await client.post("/v1/customers", [("email", "a@example.com")]).json["id"] as? String ?? ""
            let attached = try await client.send("POST", "/_sandbox/payment_methods/attach", query: [("customer", customer), ("last4", "1881")])
            let method = attached.json["id"] as? String ?? ""
            #expect(method.hasPrefix("pm_"))
            #expect(try await client.send("POST", "/_sandbox/payment_methods/detach", query: [("payment_method", method)]).status == 200)
            #expect(try await client.send("POST", "/_sandbox/payment_methods/detach", query: [("payment_method", method)]).status == 400)

            let detached = try #require(try await client.get("/v1/events", [("type", "payment_method.detached")]).data.first)
            let data = try #require(detached["data"] as? [String: Any])
            let object = try #require(data["object"] as? [String: Any])
            #expect(object["customer"] is NSNull)
            #expect((object["card"] as? [String: Any])?["last4"] as? String == "1881")
            #expect((data["previous_attributes"] as? [String: Any])?["customer"] as? String == customer)
        }
    }

    @Test("trial_will_end carries the trial's end; invoice.upcoming an invoice without an id")
    func trialAndUpcoming() async throws {
        try await withSandbox { simulator, client in
            let customer = simulator.state.createCustomer(email: "a@example.com")
            let product = simulator.state.createProduct(name: "Pro")
            let price = try simulator.state.createPrice(product: product.id, unitAmount: 2_000)
            let subscription = try simulator.state.createSubscription(customer: customer.id, items: [(price.id, 1)])
            _ = try await client.send("POST", "/_sandbox/subscriptions/trial_will_end", query: [("subscription", subscription.id), ("days", "3")])
            _ = try await client.send("POST", "/_sandbox/invoices/upcoming", query: [("subscription", subscription.id)])

            let trial = try #require(try await client.get("/v1/events", [("type", "customer.subscription.trial_will_end")]).data.first)
            let trialObject = try #require((trial["data"] as? [String: Any])?["object"] as? [String: Any])
            #expect(trialObject["trial_end"] as? Int == Int(sandboxStart) + 3 * 86_400)
            #expect(trialObject["status"] as? String == "trialing")

            let upcoming = try #require(try await client.get("/v1/events", [("type", "invoice.upcoming")]).data.first)
            let invoice = try #require((upcoming["data"] as? [String: Any])?["object"] as? [String: Any])
            #expect(invoice["id"] == nil)
            #expect(invoice["amount_due"] as? Int == 2_000)
        }
    }

    @Test("a meter error report is listed by GET /v2/core/events and fetched by id, with RFC 3339 times")
    func meterErrors() async throws {
        try await withSandbox { _, client in
            let created = try await client.send("POST", "/_sandbox/meter_errors", query: [
                ("code", "meter_event_customer_not_found"), ("identifiers", "tu_1,tu_2"), ("meter", "mtr_1"), ("count", "5"),
            ])
            let id = try #require(created.json["id"] as? String)
            let list = try await client.get("/v2/core/events", [("types", "v1.billing.meter.error_report_triggered")])
            #expect(list.data.map { $0["id"] as? String } == [id])
            #expect(list.json["next_page_url"] is NSNull)
            let event = try await client.get("/v2/core/events/\(id)").json
            #expect(event["created"] as? String == "2026-01-01T00:00:00.000Z")
            let reason = try #require((event["data"] as? [String: Any])?["reason"] as? [String: Any])
            #expect(reason["error_count"] as? Int == 5)
            let type = try #require((reason["error_types"] as? [[String: Any]])?.first)
            let samples = try #require(type["sample_errors"] as? [[String: Any]])
            #expect(samples.compactMap { ($0["request"] as? [String: Any])?["identifier"] as? String } == ["tu_1", "tu_2"])
            #expect(try await client.get("/v2/core/events", [("types", "v1.billing.meter.no_meter_found")]).data.isEmpty)
        }
    }
}
