import Foundation
import Testing
import TallySandbox

@Suite("Invoices on clock advance")
struct InvoiceTests {
    @Test("bills licensed and metered items when the clock passes the period end")
    func billsPeriod() async throws {
        try await withSandbox { simulator, client in
            // given a customer on a 20.00 USD seat price and a 3-cent metered token price
            let meter = try await createMeter(client)
            let customer = try await client.post("/v1/customers", [("email", "ops@example.com")]).json["id"] as? String ?? ""
            let product = try await client.post("/v1/products", [("name", "Tally API")]).json["id"] as? String ?? ""
            let seat = try await client.post("/v1/prices", [
                ("product", product), ("currency", "usd"), ("unit_amount", "2000"), ("recurring[interval]", "month"),
            ]).json["id"] as? String ?? ""
            let tokens = try await client.post("/v1/prices", [
                ("product", product), ("currency", "usd"), ("unit_amount", "3"), ("recurring[interval]", "month"),
                ("recurring[usage_type]", "metered"), ("recurring[meter]", meter),
            ]).json["id"] as? String ?? ""
            let subscription = try await client.post("/v1/subscriptions", [
                ("customer", customer), ("items[0][price]", seat), ("items[0][quantity]", "2"), ("items[1][price]", tokens),
            ])
            #expect(subscription.status == 200)
            let items = (subscription.json["items"] as? [String: Any])?["data"] as? [[String: Any]] ?? []
            #expect(items.first?["current_period_end"] as? Int == 1_769_904_000)  // 2026-02-01
            // and 1,500 tokens used during January
            _ = try await sendMeterEvent(client, customer: customer, value: "1000")
            simulator.clock.advance(by: 10 * 86_400)
            _ = try await sendMeterEvent(client, customer: customer, value: "500")
            // when the clock passes 1 February
            simulator.clock.advance(by: 22 * 86_400)
            // then one paid invoice bills 2 x 2000 + 1500 x 3
            let invoices = try await client.get("/v1/invoices", [("customer", customer)])
            #expect(invoices.data.count == 1)
            let invoice = invoices.data.first ?? [:]
            #expect(invoice["status"] as? String == "paid")
            #expect(invoice["total"] as? Int == 8500)
            #expect(invoice["amount_paid"] as? Int == 8500)
            #expect(invoice["amount_remaining"] as? Int == 0)
            #expect(invoice["period_start"] as? Int == Int(sandboxStart))
            #expect(invoice["period_end"] as? Int == 1_769_904_000)
            let id = invoice["id"] as? String ?? ""
            let lines = try await client.get("/v1/invoices/\(id)/lines")
            #expect(lines.data.map { $0["quantity"] as? Int } == [2, 1500])
            #expect(lines.data.map { $0["amount"] as? Int } == [4000, 4500])
            let pricing = lines.data.last?["pricing"] as? [String: Any]
            #expect((pricing?["price_details"] as? [String: Any])?["price"] as? String == tokens)
            // and the period rolled forward
            let rolled = try await client.get("/v1/subscriptions/\(subscription.json["id"] as? String ?? "")")
            let rolledItems = (rolled.json["items"] as? [String: Any])?["data"] as? [[String: Any]] ?? []
            #expect(rolledItems.first?["current_period_start"] as? Int == 1_769_904_000)
        }
    }

    @Test("bills a zero-decimal JPY price in yen and leaves a failing customer's invoice open")
    func yenAndFailedPayment() async throws {
        try await withSandbox { simulator, client in
            let state = simulator.state
            let customer = state.createCustomer(email: "jp@example.com", metadata: ["sandbox_payment": "fail"])
            let product = state.createProduct(name: "Seats")
            let price = try state.createPrice(product: product.id, currency: "jpy", unitAmount: 500)
            _ = try state.createSubscription(customer: customer.id, items: [(price.id, 3)])
            simulator.clock.advance(by: 31 * 86_400)
            let invoices = try await client.get("/v1/invoices", [("customer", customer.id)])
            let invoice = invoices.data.first ?? [:]
            #expect(invoice["currency"] as? String == "jpy")
            #expect(invoice["amount_due"] as? Int == 1500)
            #expect(invoice["status"] as? String == "open")
            #expect(invoice["attempt_count"] as? Int == 1)
            #expect(invoice["amount_remaining"] as? Int == 1500)
            let failures = try await client.get("/v1/events", [("type", "invoice.payment_failed")])
            #expect(failures.data.count == 1)
            let open = try await client.get("/v1/invoices", [("status", "open")])
            #expect(open.data.count == 1)
            let paid = try await client.get("/v1/invoices", [("status", "paid")])
            #expect(paid.data.isEmpty)
        }
    }

    @Test("stops billing a cancelled subscription")
    func cancelled() async throws {
        try await withSandbox { simulator, client in
            let state = simulator.state
            let customer = state.createCustomer()
            let product = state.createProduct(name: "Seats")
            let price = try state.createPrice(product: product.id, unitAmount: 1000)
            let subscription = try state.createSubscription(customer: customer.id, items: [(price.id, 1)])
            let deleted = try await client.send("DELETE", "/v1/subscriptions/\(subscription.id)")
            #expect(deleted.json["status"] as? String == "canceled")
            simulator.clock.advance(by: 40 * 86_400)
            #expect(simulator.state.invoices.isEmpty)
            let active = try await client.get("/v1/subscriptions", [("customer", customer.id)])
            #expect(active.data.isEmpty)
        }
    }
}
