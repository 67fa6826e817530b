import Foundation
import Testing
import TallySandbox

@Suite("Idempotency and authentication")
struct IdempotencyAndAuthTests {
    @Test("replays the first response to a repeated Idempotency-Key")
    func replay() async throws {
        try await withSandbox { simulator, client in
            let headers = ["Idempotency-Key": "key-1"]
            let first = try await client.post("/v1/customers", [("email", "a@example.com")], headers: headers)
            let second = try await client.post("/v1/customers", [("email", "a@example.com")], headers: headers)
            #expect(first.status == 200)
            #expect(second.status == 200)
            #expect(second.header("Idempotent-Replayed") == "true")
            #expect(second.json["id"] as? String == first.json["id"] as? String)
            #expect(simulator.state.customers.count == 1)
        }
    }

    @Test("replays even a 500 and refuses the key with other parameters")
    func replayErrorsAndMismatch() async throws {
        try await withSandbox(SimulatorConfiguration(faults: FaultPlan(errorRate: 1))) { simulator, client in
            let headers = ["Idempotency-Key": "key-2"]
            let failed = try await client.post("/v1/customers", [("email", "a@example.com")], headers: headers)
            #expect(failed.status == 500)
            simulator.setFaults(FaultPlan())
            let replayed = try await client.post("/v1/customers", [("email", "a@example.com")], headers: headers)
            #expect(replayed.status == 500)
            #expect(replayed.header("Idempotent-Replayed") == "true")
            let mismatch = try await client.post("/v1/customers", [("email", "b@example.com")], headers: headers)
            #expect(mismatch.status == 400)
            #expect(mismatch.error["type"] as? String == "idempotency_error")
            #expect(simulator.state.customers.isEmpty)
        }
    }

    @Test("answers 409 idempotency_key_in_use while the first request is still being answered")
    func inFlight() async throws {
        try await withSandbox(SimulatorConfiguration(faults: FaultPlan(latency: .milliseconds(800)))) { _, client in
            let headers = ["Idempotency-Key": "key-3"]
            async let first = client.post("/v1/customers", [("email", "a@example.com")], headers: headers)
            async let second = client.post("/v1/customers", [("email", "a@example.com")], headers: headers)
            let statuses = Set(try await [first.status, second.status])
            #expect(statuses == [200, 409])
        }
    }

    @Test("forgets idempotency keys after 24 hours of simulator time")
    func pruning() async throws {
        try await withSandbox { simulator, client in
            let headers = ["Idempotency-Key": "key-4"]
            _ = try await client.post("/v1/customers", [("email", "a@example.com")], headers: headers)
            simulator.clock.advance(by: 24 * 3600)
            let later = try await client.post("/v1/customers", [("email", "b@example.com")], headers: headers)
            #expect(later.status == 200)
            #expect(later.header("Idempotent-Replayed") == nil)
            #expect(simulator.state.customers.count == 2)
        }
    }

    @Test("answers 401 without a key and never echoes a wrong key")
    func authentication() async throws {
        try await withSandbox { simulator, client in
            var anonymous = client
            anonymous.apiKey = nil
            let missing = try await anonymous.get("/v1/customers")
            #expect(missing.status == 401)
            #expect(missing.header("Request-Id")?.hasPrefix("req_") == true)

            var wrong = client
            wrong.apiKey = "sk_test_wrongsecretvalue1234"
            let refused = try await wrong.get("/v1/customers")
            #expect(refused.status == 401)
            #expect(refused.error["message"] as? String == "Invalid API Key provided: sk_test_****1234")
            #expect(!refused.body.contains("wrongsecretvalue"))
            #expect(simulator.requests.allSatisfy { !($0.header("Authorization") ?? "").contains("wrongsecretvalue") })

            let basic = try await client.send("GET", "/v1/customers", headers: [
                "Authorization": "Basic " + Data("sk_test_tally:".utf8).base64EncodedString(),
            ])
            #expect(basic.status == 200)
        }
    }

    @Test("answers an unknown route with Stripe's 404")
    func unknownRoute() async throws {
        try await withSandbox { _, client in
            let response = try await client.get("/v1/teapots")
            #expect(response.status == 404)
            #expect(response.error["type"] as? String == "invalid_request_error")
            #expect((response.error["message"] as? String)?.hasPrefix("Unrecognized request URL") == true)
        }
    }
}
