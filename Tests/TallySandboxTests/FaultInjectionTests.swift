import Foundation
import Testing
import TallySandbox

@Suite("Fault injection")
struct FaultInjectionTests {
    @Test("answers the next N requests with 429 rate_limit, then recovers")
    func burst() async throws {
        try await withSandbox(SimulatorConfiguration(faults: FaultPlan(burst429Count: 2))) { _, client in
            let first = try await client.get("/v1/customers")
            let second = try await client.get("/v1/customers")
            let third = try await client.get("/v1/customers")
            #expect([first.status, second.status, third.status] == [Int]([429, 429, 200]))
            #expect(first.error["code"] as? String == "rate_limit")
        }
    }

    @Test("rate-limits one endpoint without touching the others")
    func endpointRateLimit() async throws {
        let plan = FaultPlan(endpointRateLimits: ["/v1/billing/meter_events": 0.001])
        try await withSandbox(SimulatorConfiguration(faults: plan)) { _, client in
            _ = try await createMeter(client)
            let first = try await sendMeterEvent(client, customer: "cus_a", value: "1")
            let second = try await sendMeterEvent(client, customer: "cus_a", value: "1")
            let other = try await client.get("/v1/customers")
            #expect(first.status == 200)
            #expect(second.status == 429)
            #expect(other.status == 200)
        }
    }

    @Test("an overall rate limit answers 429 once the budget is spent")
    func overallRateLimit() async throws {
        try await withSandbox(SimulatorConfiguration(faults: FaultPlan(rateLimit: 0.001))) { _, client in
            let first = try await client.get("/v1/customers")
            let second = try await client.get("/v1/products")
            #expect(first.status == 200)
            #expect(second.status == 429)
            #expect(second.error["code"] as? String == "rate_limit")
        }
    }

    @Test("a drop rate of 1 closes connections without an answer")
    func droppedConnections() async throws {
        try await withSandbox(SimulatorConfiguration(faults: FaultPlan(dropConnectionRate: 1))) { simulator, client in
            await #expect(throws: (any Error).self) { try await client.get("/v1/customers") }
            #expect(simulator.requests.first?.status == 0)
        }
    }

    @Test("an error rate of 1 answers 500 api_error without Stripe-Should-Retry")
    func errorRate() async throws {
        try await withSandbox { simulator, client in
            simulator.setFaults(FaultPlan(errorRate: 1))
            let response = try await client.get("/v1/customers")
            #expect(response.status == 500)
            #expect(response.error["type"] as? String == "api_error")
            #expect(response.header("Stripe-Should-Retry") == nil)
            #expect(simulator.requests.last?.status == 500)
        }
    }

    @Test("takes a fault plan and clock moves over the control API")
    func controlAPI() async throws {
        try await withSandbox { simulator, client in
            let faults = try await client.send("POST", "/_sandbox/faults", rawBody: #"{"burst429Count":1}"#)
            #expect(faults.status == 200)
            #expect(try await client.get("/v1/customers").status == 429)
            #expect(try await client.get("/v1/customers").status == 200)
            let moved = try await client.post("/_sandbox/clock/advance?seconds=3600")
            #expect(moved.json["now"] as? Int == Int(sandboxStart + 3600))
            #expect(simulator.clock.now() == Date(timeIntervalSince1970: Double(sandboxStart + 3600)))
            #expect(try await client.get("/_sandbox/health").status == 200)
        }
    }

    @Test("serves a scripted response exactly once")
    func scripted() async throws {
        try await withSandbox { simulator, client in
            simulator.enqueueScriptedResponse(ScriptedResponse(
                method: "GET", pathPrefix: "/v1/customers", status: 503, headers: [("Stripe-Should-Retry", "true")],
                body: #"{"error":{"type":"api_error","message":"scripted"}}"#))
            let scripted = try await client.get("/v1/customers")
            #expect(scripted.status == 503)
            #expect(scripted.header("Stripe-Should-Retry") == "true")
            #expect(try await client.get("/v1/customers").status == 200)
        }
    }

    @Test("processes a retry after a scripted 500 once, under the same idempotency key")
    func scriptedThenRetry() async throws {
        try await withSandbox { simulator, client in
            let meter = try await createMeter(client)
            simulator.enqueueScriptedResponse(ScriptedResponse(
                method: "POST", pathPrefix: "/v1/billing/meter_events", status: 500,
                body: #"{"error":{"type":"api_error","message":"scripted"}}"#))
            let form = [("event_name", "api_tokens"), ("payload[stripe_customer_id]", "cus_a"),
                        ("payload[value]", "4"), ("identifier", "row-9")]
            let headers = ["Idempotency-Key": "retry-key"]
            let failed = try await client.post("/v1/billing/meter_events", form, headers: headers)
            let retried = try await client.post("/v1/billing/meter_events", form, headers: headers)
            let replayed = try await client.post("/v1/billing/meter_events", form, headers: headers)
            #expect(failed.status == 500)
            #expect(retried.status == 200)
            #expect(replayed.header("Idempotent-Replayed") == "true")
            #expect(simulator.state.meterEvents(meterID: meter, customer: "cus_a").map(\.value) == [4])
        }
    }

    @Test("serves many slow requests at once")
    func concurrentLatency() async throws {
        try await withSandbox(SimulatorConfiguration(faults: FaultPlan(latency: .milliseconds(100)))) { _, client in
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<50 { group.addTask { try await client.get("/v1/customers").status } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.count == 50)
            #expect(statuses.allSatisfy { $0 == 200 })
        }
    }
}
