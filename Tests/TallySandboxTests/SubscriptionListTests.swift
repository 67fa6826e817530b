import Foundation
import Testing
import TallySandbox

@Suite("Listing subscriptions with their items")
struct SubscriptionListTests {
    @Test("status=all lists a subscription from long before Stripe's 30 days of events, canceled ones too")
    func listsOldAndCanceled() async throws {
        try await withSandbox { simulator, client in
            // Given an annual subscription created 90 days ago and a canceled one
            let customer = simulator.state.createCustomer(email: "owner@example.com")
            let product = simulator.state.createProduct(name: "Pro")
            let annual = try simulator.state.createPrice(product: product.id, unitAmount: 120_000, interval: "year")
            let old = try simulator.state.createSubscription(customer: customer.id, items: [(annual.id, 1)])
            let canceled = try simulator.state.createSubscription(customer: customer.id, items: [(annual.id, 2)])
            _ = try await client.send("DELETE", "/v1/subscriptions/\(canceled.id)")
            simulator.clock.advance(by: 90 * 86_400)

            // When the subscriptions are listed, with and without status=all
            let all = try await client.get("/v1/subscriptions", [("status", "all")])
            let current = try await client.get("/v1/subscriptions")

            // Then status=all has both, with their items; the default leaves out the canceled one
            #expect(Set(all.data.compactMap { $0["id"] as? String }) == [old.id, canceled.id])
            #expect(current.data.compactMap { $0["id"] as? String } == [old.id])
            let items = try #require(all.data.first { $0["id"] as? String == old.id }?["items"] as? [String: Any])
            #expect((items["data"] as? [[String: Any]])?.count == 1)
            #expect(items["has_more"] as? Bool == false)
            #expect(try await client.get("/v1/events", [("type", "customer.subscription.created")]).data.isEmpty)
        }
    }

    @Test("a subscription embeds its first 10 items with has_more, and the items list has the rest")
    func paginatesItems() async throws {
        try await withSandbox { simulator, client in
            // Given a subscription with 12 prices
            let customer = simulator.state.createCustomer(email: "owner@example.com")
            let product = simulator.state.createProduct(name: "Bundle")
            let prices = try (1...12).map { try simulator.state.createPrice(product: product.id, unitAmount: Int64($0)) }
            let subscription = try simulator.state.createSubscription(customer: customer.id, items: prices.map { ($0.id, 1) })

            // When it is listed, fetched, and its items listed
            let listed = try #require(try await client.get("/v1/subscriptions", [("status", "all")]).data.first)
            let fetched = try await client.get("/v1/subscriptions/\(subscription.id)").json
            let itemList = try await client.get("/v1/subscription_items", [("subscription", subscription.id), ("limit", "100")])

            // Then the embedded list is a Stripe list of 10 that says there is more; the item list has all 12
            for object in [listed, fetched] {
                let items = try #require(object["items"] as? [String: Any])
                #expect(items["object"] as? String == "list")
                #expect((items["data"] as? [[String: Any]])?.count == 10)
                #expect(items["has_more"] as? Bool == true)
                #expect(items["url"] as? String == "/v1/subscription_items?subscription=\(subscription.id)")
            }
            #expect(itemList.data.count == 12)
        }
    }
}
