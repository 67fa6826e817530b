import Foundation
import Testing
import TallySandbox

@Suite("Shape parity with Stripe's own sample objects")
struct FixtureParityTests {
    /// The field names of Stripe's sample objects (`fixtures3.json`, kept beside TallyCore's tests).
    static let fixtureKeys: [String: Set<String>] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("TallyCoreTests/Fixtures/fixtures3.json")
        let data = (try? Data(contentsOf: url)) ?? Data()
        let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        let resources = root?["resources"] as? [String: [String: Any]] ?? [:]
        return resources.mapValues { Set($0.keys) }
    }()

    private func expectSameKeys(_ object: [String: Any]?, as resource: String,
                                sourceLocation: SourceLocation = #_sourceLocation) {
        let expected = Self.fixtureKeys[resource] ?? []
        let actual = Set(object?.keys ?? [:].keys)
        #expect(!expected.isEmpty, "fixture \(resource) missing", sourceLocation: sourceLocation)
        #expect(expected.subtracting(actual).sorted() == [], "\(resource): missing keys", sourceLocation: sourceLocation)
        #expect(actual.subtracting(expected).sorted() == [], "\(resource): extra keys", sourceLocation: sourceLocation)
    }

    @Test("every simulated object has the fields of Stripe's sample")
    func keySets() async throws {
        try await withSandbox { simulator, client in
            let meter = try await client.post("/v1/billing/meters", [
                ("display_name", "Tokens"), ("event_name", "api_tokens"),
            ])
            expectSameKeys(meter.json, as: "billing.meter")
            let meterID = meter.json["id"] as? String ?? ""
            let customer = try await client.post("/v1/customers", [("email", "a@example.com")])
            expectSameKeys(customer.json, as: "customer")
            let customerID = customer.json["id"] as? String ?? ""
            let product = try await client.post("/v1/products", [("name", "API")])
            expectSameKeys(product.json, as: "product")
            let price = try await client.post("/v1/prices", [
                ("product", product.json["id"] as? String ?? ""), ("currency", "usd"), ("unit_amount", "2"),
                ("recurring[interval]", "month"), ("recurring[usage_type]", "metered"), ("recurring[meter]", meterID),
            ])
            expectSameKeys(price.json, as: "price")
            let subscription = try await client.post("/v1/subscriptions", [
                ("customer", customerID), ("items[0][price]", price.json["id"] as? String ?? ""),
            ])
            expectSameKeys(subscription.json, as: "subscription")
            let items = try await client.get("/v1/subscription_items", [("subscription", subscription.json["id"] as? String ?? "")])
            expectSameKeys(items.data.first, as: "subscription_item")

            let event = try await sendMeterEvent(client, customer: customerID, value: "25", identifier: "row-1")
            expectSameKeys(event.json, as: "billing.meter_event")
            _ = try await sendMeterEvent(client, customer: customerID, value: "5", identifier: "row-2")
            let adjustment = try await client.post("/v1/billing/meter_event_adjustments", [
                ("event_name", "api_tokens"), ("type", "cancel"), ("cancel[identifier]", "row-2"),
            ])
            expectSameKeys(adjustment.json, as: "billing.meter_event_adjustment")
            let summaries = try await client.get("/v1/billing/meters/\(meterID)/event_summaries", [
                ("customer", customerID), ("start_time", String(sandboxStart)), ("end_time", String(sandboxStart + 3600)),
            ])
            expectSameKeys(summaries.data.first, as: "billing.meter_event_summary")

            simulator.clock.advance(by: 32 * 86_400)
            let invoices = try await client.get("/v1/invoices")
            expectSameKeys(invoices.data.first, as: "invoice")
            let lines = (invoices.data.first?["lines"] as? [String: Any])?["data"] as? [[String: Any]]
            expectSameKeys(lines?.first, as: "line_item")
            #expect(lines?.first?["quantity"] as? Int == 25)
            let events = try await client.get("/v1/events", [("type", "invoice.paid")])
            expectSameKeys(events.data.first, as: "event")
        }
    }
}
