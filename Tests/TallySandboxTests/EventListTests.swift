import Foundation
import Testing
import TallySandbox

@Suite("Events and pagination")
struct EventListTests {
    @Test("filters events by type, types[], created and delivery success, newest first")
    func filters() async throws {
        let configuration = SimulatorConfiguration(faults: FaultPlan(failedDeliveryRate: 0.5, seed: 3))
        try await withSandbox(configuration) { simulator, client in
            for index in 0..<6 {
                _ = try await client.post("/v1/customers", [("email", "c\(index)@example.com")])
                simulator.clock.advance(by: 60)
            }
            let customer = simulator.state.customers[0].id
            _ = try await client.post("/v1/customers/\(customer)", [("name", "Renamed")])

            let created = try await client.get("/v1/events", [("type", "customer.created"), ("limit", "100")])
            #expect(created.data.count == 6)
            let times = created.data.compactMap { $0["created"] as? Int }
            #expect(times == times.sorted(by: >))

            let both = try await client.get("/v1/events", [("types[]", "customer.created"), ("types[]", "customer.updated")])
            #expect(both.data.count == 7)
            #expect(both.data.first?["type"] as? String == "customer.updated")
            let object = (both.data.first?["data"] as? [String: Any])?["object"] as? [String: Any]
            #expect(object?["name"] as? String == "Renamed")

            let window = try await client.get("/v1/events", [
                ("created[gte]", String(sandboxStart + 60)), ("created[lt]", String(sandboxStart + 180)),
            ])
            #expect(window.data.count == 2)

            let failed = try await client.get("/v1/events", [("delivery_success", "false"), ("limit", "100")])
            let delivered = try await client.get("/v1/events", [("delivery_success", "true"), ("limit", "100")])
            #expect(failed.data.count + delivered.data.count == 7)
            #expect(failed.data.allSatisfy { $0["pending_webhooks"] as? Int == 1 })

            let tooMany = try await client.get("/v1/events", (0..<21).map { ("types[]", "t\($0)") })
            #expect(tooMany.status == 400)

            simulator.clock.advance(by: 31 * 86_400)
            let expired = try await client.get("/v1/events")
            #expect(expired.data.isEmpty)
        }
    }

    @Test("pages through a list with limit, starting_after and ending_before")
    func pagination() async throws {
        try await withSandbox { simulator, client in
            for index in 0..<5 { _ = simulator.state.createCustomer(email: "c\(index)@example.com") }
            let newestFirst = simulator.state.customers.reversed().map(\.id)

            let first = try await client.get("/v1/customers", [("limit", "2")])
            #expect(first.data.map { $0["id"] as? String } == Array(newestFirst[0..<2]))
            #expect(first.json["has_more"] as? Bool == true)
            #expect(first.json["object"] as? String == "list")
            #expect(first.json["url"] as? String == "/v1/customers")

            let next = try await client.get("/v1/customers", [("limit", "2"), ("starting_after", newestFirst[1])])
            #expect(next.data.map { $0["id"] as? String } == Array(newestFirst[2..<4]))
            let last = try await client.get("/v1/customers", [("limit", "2"), ("starting_after", newestFirst[3])])
            #expect(last.data.map { $0["id"] as? String } == [newestFirst[4]])
            #expect(last.json["has_more"] as? Bool == false)

            let before = try await client.get("/v1/customers", [("limit", "2"), ("ending_before", newestFirst[3])])
            #expect(before.data.map { $0["id"] as? String } == Array(newestFirst[1..<3]))
            #expect(before.json["has_more"] as? Bool == true)

            let defaultPage = try await client.get("/v1/customers")
            #expect(defaultPage.data.count == 5)
            #expect(try await client.get("/v1/customers", [("limit", "101")]).status == 400)
            #expect(try await client.get("/v1/customers", [("limit", "0")]).status == 400)
        }
    }
}
