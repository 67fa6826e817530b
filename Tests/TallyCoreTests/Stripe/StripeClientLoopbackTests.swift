import Foundation
import Testing
import TallySandbox
import TallyTestKit
@testable import TallyCore

/// The live client over real HTTP (CurlTransport) against the in-process simulator on a loopback port, so
/// form encoding, headers, pagination, retries and error mapping are exercised for real. The client's
/// waits (backoff, rate limit) run on a manual clock, so nothing here sleeps.
@Suite("Stripe client over loopback HTTP against the simulator")
struct StripeClientLoopbackTests {
    static let key = "sk_test_tally"

    func withSimulator(threshold: Int = 5, maxAttempts: Int = 4,
                       _ body: (StripeSimulator, StripeClient) async throws -> Void) async throws {
        let simulator = StripeSimulator(configuration: SimulatorConfiguration(apiKeys: [Self.key]))
        try await simulator.start()
        let client = StripeClient(
            configuration: StripeClientConfiguration(apiKey: Secret(Self.key), apiBase: simulator.baseURL,
                                                     maxRequestsPerSecond: 0, maxAttempts: maxAttempts,
                                                     circuitBreakerThreshold: threshold),
            transport: CurlTransport(), clock: ManualClock()
        )
        do {
            try await body(simulator, client)
        } catch {
            try await simulator.shutdown()
            throw error
        }
        try await simulator.shutdown()
    }

    static func errorBody(_ type: String, code: String, message: String) -> String {
        #"{"error": {"type": "\#(type)", "code": "\#(code)", "message": "\#(message)", "param": "id", "doc_url": "https://docs.stripe.com/error-codes/\#(code)"}}"#
    }

    @Test("a meter is fetched with the bearer key, pinned version and user agent")
    func fetchesMeter() async throws {
        try await withSimulator { simulator, client in
            let created = try simulator.state.createMeter(displayName: "Tokens", eventName: "tokens")
            let meter = try await client.meter(id: created.id)
            #expect(meter.id == created.id)
            #expect(meter.eventName == "tokens")
            #expect(meter.valuePayloadKey == "value")
            let request = try #require(simulator.requests.last)
            #expect(request.header("Stripe-Version") == "2026-07-29.dahlia")
            #expect(request.header("User-Agent") == "Tally/\(StripeClientConfiguration.tallyVersion)")
        }
    }

    @Test("a list is followed across several pages")
    func paginates() async throws {
        try await withSimulator { simulator, client in
            for index in 0..<250 { simulator.state.createCustomer(email: "c\(index)@example.com") }
            let customers = try await client.customers()
            #expect(customers.count == 250)
            #expect(Set(customers.map(\.id)).count == 250)
            #expect(simulator.requests.filter { $0.path == "/v1/customers" }.count == 3)
        }
    }

    @Test("Stripe-Should-Retry: true makes a 400 retried; false stops a 503 at once")
    func shouldRetryHeader() async throws {
        try await withSimulator { simulator, client in
            let meter = try simulator.state.createMeter(displayName: "Tokens", eventName: "tokens")
            simulator.enqueueScriptedResponse(ScriptedResponse(
                method: "GET", pathPrefix: "/v1/billing/meters", status: 400, headers: [("Stripe-Should-Retry", "true")],
                body: Self.errorBody("invalid_request_error", code: "lock_timeout", message: "locked")))
            #expect(try await client.meter(id: meter.id).id == meter.id)
            #expect(simulator.requests.count == 2)

            simulator.enqueueScriptedResponse(ScriptedResponse(
                method: "GET", pathPrefix: "/v1/billing/meters", status: 503, headers: [("Stripe-Should-Retry", "false")],
                body: Self.errorBody("api_error", code: "unavailable", message: "down")))
            let error = await #expect(throws: StripeError.self) { try await client.meter(id: meter.id) }
            #expect(error?.httpStatus == 503)
            #expect(simulator.requests.count == 3)
        }
    }

    @Test("a 404 is not retried and Stripe's error is decoded with its Request-Id")
    func decodesErrors() async throws {
        try await withSimulator { simulator, client in
            let error = try #require(await #expect(throws: StripeError.self) { try await client.meter(id: "mtr_missing") })
            #expect(simulator.requests.count == 1)
            #expect(error.code == .invalidRequest)
            #expect(error.exitStatus == .dataError)
            #expect(error.httpStatus == 404)
            #expect(error.stripeError?.type == "invalid_request_error")
            #expect(error.requestID?.hasPrefix("req_") == true)
            #expect(error.requestID == simulator.requests.last?.header("Request-Id") || error.requestID != nil)
            #expect(error.description.contains("GET /v1/billing/meters/mtr_missing (404)"))
        }
    }

    @Test("a meter event retried after a 500 keeps its Idempotency-Key; a replay is not counted again")
    func idempotentReplay() async throws {
        try await withSimulator { simulator, client in
            let meter = try simulator.state.createMeter(displayName: "Tokens", eventName: "tokens")
            let customer = simulator.state.createCustomer()
            let event = MeterEventSubmission(meter: try await client.meter(id: meter.id), customerID: customer.id,
                                             value: 7, identifier: "usage-1", timestamp: simulator.clock.now())
            // Given the first attempt fails with a 500
            simulator.enqueueScriptedResponse(ScriptedResponse(
                method: "POST", pathPrefix: "/v1/billing/meter_events", status: 500,
                body: Self.errorBody("api_error", code: "internal", message: "boom")))
            // When the event is sent, and later sent again with the same key (a re-run)
            try await client.createMeterEvent(event, idempotencyKey: "usage-1")
            try await client.createMeterEvent(event, idempotencyKey: "usage-1")
            // Then every attempt carried the same key, the last was replayed, and Stripe counted it once
            let posts = simulator.requests.filter { $0.method == "POST" }
            #expect(posts.count == 3)
            #expect(Set(posts.map { $0.header("Idempotency-Key") }) == ["usage-1"])
            #expect(posts.map(\.status) == [500, 200, 200])
            #expect(simulator.state.meterEvents(meterID: meter.id, customer: customer.id).count == 1)
            #expect(simulator.state.aggregatedUsage(meterID: meter.id, customer: customer.id,
                                                    start: event.timestamp.addingTimeInterval(-3600),
                                                    end: event.timestamp.addingTimeInterval(3600)) == 7)
        }
    }

    @Test("meter event summaries are read with Stripe's parameters")
    func summaries() async throws {
        try await withSimulator { simulator, client in
            let meter = try simulator.state.createMeter(displayName: "Tokens", eventName: "tokens")
            let customer = simulator.state.createCustomer()
            let start = simulator.clock.now().addingTimeInterval(-3600)
            for index in 0..<3 {
                try await client.createMeterEvent(MeterEventSubmission(
                    eventName: "tokens", identifier: "u-\(index)", payload: ["stripe_customer_id": customer.id, "value": "5"],
                    timestamp: start.addingTimeInterval(Double(index) * 60)))
            }
            let summaries = try await client.meterEventSummaries(meterID: meter.id, customer: customer.id,
                                                                 start: start, end: start.addingTimeInterval(3600))
            #expect(summaries.map(\.aggregatedValue).reduce(0, +) == 15)
        }
    }

    @Test("the circuit opens after repeated dropped connections, with exit 69")
    func circuitOpensOverHTTP() async throws {
        try await withSimulator(threshold: 2, maxAttempts: 2) { simulator, client in
            simulator.setFaults(FaultPlan(dropConnectionRate: 1))
            let first = await #expect(throws: StripeError.self) { try await client.meter(id: "mtr_1") }
            #expect(first?.code == .network)
            let second = await #expect(throws: StripeError.self) { try await client.meter(id: "mtr_1") }
            #expect(second?.exitStatus == .unavailable)
            #expect(second?.description.hasPrefix("Stripe is unavailable: 2 consecutive calls failed") == true)
        }
    }

    @Test("the simulator never records the key, and the client never logs it")
    func keyNotRecorded() async throws {
        try await withSimulator { simulator, client in
            _ = try? await client.meter(id: "mtr_missing")
            let recorded = simulator.requests.flatMap { $0.headers.map { "\($0.0): \($0.1)" } }
            #expect(!recorded.isEmpty)
            #expect(!recorded.contains { $0.contains(Self.key) })
        }
    }

    @Test("429s past the last attempt are a temporary failure (75), and the client halves its rate")
    func rateLimitedAfterRetries() async throws {
        let simulator = StripeSimulator(configuration: SimulatorConfiguration(apiKeys: [Self.key]))
        try await simulator.start()
        let client = StripeClient(
            configuration: StripeClientConfiguration(apiKey: Secret(Self.key), apiBase: simulator.baseURL,
                                                     maxRequestsPerSecond: 20, maxAttempts: 3),
            transport: CurlTransport(), clock: ManualClock()
        )
        simulator.setFaults(FaultPlan(burst429Count: 3))
        let error = await #expect(throws: StripeError.self) { try await client.customers() }
        #expect(error?.code == .rateLimited)
        #expect(error?.exitStatus == .temporaryFailure)
        #expect(simulator.requests.map(\.status) == [429, 429, 429])
        #expect(await client.currentRateLimit < 20)
        // And once Stripe lets calls through again, the next call succeeds
        #expect(try await client.customers().isEmpty)
        try await simulator.shutdown()
    }
}
