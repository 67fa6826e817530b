import Foundation
import Testing
import TallySandbox

/// Failures that happen after Stripe processed a request, and a list that never ends: the faults a client
/// cannot tell from "nothing happened" by the answer alone.
@Suite("Faults after Stripe processed a request")
struct AfterApplyFaultTests {
    static let form = [("event_name", "api_tokens"), ("payload[stripe_customer_id]", "cus_a"), ("payload[value]", "5"),
                       ("identifier", "evt_1")]

    @Test("a 500 after apply records the event, and its key replays the 500; a new key meets the identifier")
    func fiveHundredAfterApply() async throws {
        try await withSandbox { simulator, client in
            let meter = try await createMeter(client)
            simulator.setFaults(FaultPlan(errorAfterApplyRate: 1))
            let failed = try await client.post("/v1/billing/meter_events", Self.form, headers: ["Idempotency-Key": "k-1"])
            simulator.setFaults(FaultPlan())
            let replayed = try await client.post("/v1/billing/meter_events", Self.form, headers: ["Idempotency-Key": "k-1"])
            let fresh = try await client.post("/v1/billing/meter_events", Self.form, headers: ["Idempotency-Key": "k-2"])

            #expect(failed.status == 500 && failed.error["type"] as? String == "api_error")
            #expect(replayed.status == 500 && replayed.header("Idempotent-Replayed") == "true")
            #expect(fresh.status == 400 && (fresh.error["message"] as? String)?.contains("already exists with identifier") == true)
            #expect(simulator.state.meterEvents(meterID: meter, customer: "cus_a").map(\.value) == [5])
        }
    }

    @Test("a drop after apply records the event, and its key replays the 200 Stripe stored")
    func dropAfterApply() async throws {
        // The drop is the first request on the connection: a client's retry of a reused connection that
        // closed would blur what the simulator did.
        try await withSandbox(SimulatorConfiguration(faults: FaultPlan(dropAfterApplyRate: 1))) { simulator, client in
            let meter = try simulator.state.createMeter(displayName: "Tokens", eventName: "api_tokens").id
            await #expect(throws: (any Error).self) {
                try await client.post("/v1/billing/meter_events", Self.form, headers: ["Idempotency-Key": "k-1"])
            }
            simulator.setFaults(FaultPlan())
            let replayed = try await client.post("/v1/billing/meter_events", Self.form, headers: ["Idempotency-Key": "k-1"])

            #expect(replayed.status == 200 && replayed.header("Idempotent-Replayed") == "true")
            #expect(replayed.json["identifier"] as? String == "evt_1")
            #expect(simulator.state.meterEvents(meterID: meter, customer: "cus_a").map(\.value) == [5])
            #expect(simulator.requests.filter { $0.path == "/v1/billing/meter_events" }.map(\.status) == [0, 200])
        }
    }

    @Test("an unreadable 200 records the event but arrives cut short")
    func unreadableSuccess() async throws {
        try await withSandbox { simulator, client in
            let meter = try await createMeter(client)
            simulator.setFaults(FaultPlan(unreadableSuccessRate: 1))
            let cut = try await client.post("/v1/billing/meter_events", Self.form, headers: ["Idempotency-Key": "k-1"])

            #expect(cut.status == 200)
            #expect((try? JSONSerialization.jsonObject(with: Data(cut.body.utf8))) == nil, "\(cut.body)")
            #expect(simulator.state.meterEvents(meterID: meter, customer: "cus_a").map(\.value) == [5])
        }
    }

    @Test("a lock_timeout 429 processes nothing")
    func lockTimeout() async throws {
        try await withSandbox { simulator, client in
            let meter = try await createMeter(client)
            simulator.setFaults(FaultPlan(lockTimeoutRate: 1))
            let locked = try await client.post("/v1/billing/meter_events", Self.form)

            #expect(locked.status == 429 && locked.error["code"] as? String == "lock_timeout")
            #expect(simulator.state.meterEvents(meterID: meter, customer: "cus_a").isEmpty)
        }
    }

    @Test("a repeating list answers its first page and cursor for ever")
    func repeatingList() async throws {
        try await withSandbox { simulator, client in
            for index in 0..<3 { simulator.state.createCustomer(email: "c\(index)@example.com") }
            simulator.setFaults(FaultPlan(repeatListPages: true))
            let first = try await client.get("/v1/customers", [("limit", "2")])
            let cursor = try #require(first.data.last?["id"] as? String)
            let again = try await client.get("/v1/customers", [("limit", "2"), ("starting_after", cursor)])

            #expect(first.json["has_more"] as? Bool == true && again.json["has_more"] as? Bool == true)
            #expect(again.data.map { $0["id"] as? String } == first.data.map { $0["id"] as? String })
        }
    }

    @Test("an oversized answer is the right JSON padded with whitespace to the size asked")
    func oversizedBody() async throws {
        try await withSandbox { simulator, client in
            simulator.setFaults(FaultPlan(oversizedBodyBytes: 10_000))
            let padded = try await client.get("/v1/customers")
            #expect(padded.status == 200 && padded.body.utf8.count == 10_000)
            #expect(padded.json["object"] as? String == "list")
        }
    }

    @Test("faultyRequests limits a plan to the next N requests")
    func faultyRequests() async throws {
        try await withSandbox { simulator, client in
            simulator.setFaults(FaultPlan(errorRate: 1, faultyRequests: 2))
            let statuses = [try await client.get("/v1/customers").status, try await client.get("/v1/customers").status,
                            try await client.get("/v1/customers").status]
            #expect(statuses == [500, 500, 200])
        }
    }

    @Test("the control API takes the new faults")
    func controlAPI() async throws {
        try await withSandbox { _, client in
            let body = #"{"errorAfterApplyRate":0.5,"dropAfterApplyRate":0.25,"unreadableSuccessRate":0.1,"lockTimeoutRate":0.2,"repeatListPages":true,"faultyRequests":7}"#
            let set = try await client.send("POST", "/_sandbox/faults", rawBody: body)
            #expect(set.status == 200)
            #expect(set.json["errorAfterApplyRate"] as? Double == 0.5 && set.json["faultyRequests"] as? Int == 7)
            #expect(set.json["repeatListPages"] as? Bool == true)
        }
    }
}
