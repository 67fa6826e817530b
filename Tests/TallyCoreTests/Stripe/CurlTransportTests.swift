import Foundation
import Testing
import TallySandbox
import TallyTestKit
@testable import TallyCore

@Suite("CurlTransport over loopback")
struct CurlTransportTests {
    func running(_ faults: FaultPlan = FaultPlan()) async throws -> StripeSimulator {
        let simulator = StripeSimulator(configuration: SimulatorConfiguration(apiKeys: ["sk_test_tally"], faults: faults))
        try await simulator.start()
        return simulator
    }

    func request(_ simulator: StripeSimulator, _ path: String, totalTimeout: Duration = .seconds(30)) -> HTTPRequest {
        HTTPRequest(method: .get, url: simulator.baseURL + path, headers: ["Authorization": "Bearer sk_test_tally"],
                    totalTimeout: totalTimeout)
    }

    @Test("fifty concurrent requests all complete on the one transfer thread")
    func concurrentRequests() async throws {
        let simulator = try await running(FaultPlan(latency: .milliseconds(50)))
        let meter = try simulator.state.createMeter(displayName: "Tokens", eventName: "tokens")
        let transport = CurlTransport()
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<50 {
                group.addTask { try await transport.execute(request(simulator, "/v1/billing/meters/\(meter.id)")).status }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 200, count: 50))
        try await simulator.shutdown()
    }

    @Test("response headers are read case-insensitively and the body is complete")
    func headersAndBody() async throws {
        let simulator = try await running()
        for index in 0..<120 { simulator.state.createCustomer(email: "c\(index)@example.com") }
        let response = try await CurlTransport().execute(request(simulator, "/v1/customers?limit=100"))
        #expect(response.status == 200)
        #expect(response.headers["request-id"]?.hasPrefix("req_") == true)
        let page = try StripeDecoding.decoder().decode(StripeList<Customer>.self, from: response.body)
        #expect(page.data.count == 100 && page.hasMore)
        try await simulator.shutdown()
    }

    @Test("a POST body arrives intact")
    func postBody() async throws {
        let simulator = try await running()
        let transport = CurlTransport()
        let body = FormEncoder.encode(["email": "a+b@example.com", "name": "Ünïcode & more"])
        let response = try await transport.execute(HTTPRequest(
            method: .post, url: simulator.baseURL + "/v1/customers",
            headers: ["Authorization": "Bearer sk_test_tally", "Content-Type": "application/x-www-form-urlencoded"],
            body: Data(body.utf8)))
        #expect(response.status == 200)
        let customer = try StripeDecoding.decoder().decode(Customer.self, from: response.body)
        #expect(customer.email == "a+b@example.com")
        #expect(customer.name == "Ünïcode & more")
        try await simulator.shutdown()
    }

    @Test("a request slower than the total timeout fails as a timeout")
    func timeout() async throws {
        let simulator = try await running(FaultPlan(latency: .seconds(5)))
        let error = await #expect(throws: HTTPTransportError.self) {
            try await CurlTransport().execute(request(simulator, "/v1/customers", totalTimeout: .milliseconds(200)))
        }
        #expect(error?.kind == .timeout)
        try await simulator.shutdown()
    }

    @Test("a refused connection fails as a connect failure")
    func connectFailure() async throws {
        let error = await #expect(throws: HTTPTransportError.self) {
            try await CurlTransport().execute(HTTPRequest(method: .get, url: "http://127.0.0.1:1/v1/customers"))
        }
        #expect(error?.kind == .connectFailed)
    }

    @Test("cancelling the awaiting task removes its in-flight transfer, and the transport carries on")
    func cancellation() async throws {
        // Given a request the simulator will hold for 30 seconds, in flight on the transfer thread
        let simulator = try await running(FaultPlan(latency: .seconds(30)))
        let transport = CurlTransport()
        let task = Task { try await transport.execute(request(simulator, "/v1/customers", totalTimeout: .seconds(60))) }
        var spins = 0
        while transport.activeTransfers == 0, spins < 1_000_000 {
            await Task.yield()
            spins += 1
        }
        #expect(transport.activeTransfers == 1)
        // When its task is cancelled
        task.cancel()
        // Then it fails with CancellationError instead of waiting for the answer, and the transfer is gone
        let result = await task.result
        #expect(throws: CancellationError.self) { try result.get() }
        simulator.setFaults(FaultPlan())
        let next = try await transport.execute(request(simulator, "/v1/customers"))
        #expect(next.status == 200)
        try await simulator.shutdown()
    }

    @Test("a body past the cap stops the transfer with responseTooLarge instead of being read whole")
    func bodyCap() async throws {
        // Given a list answer of about 30 KB and a transport capped at 4 KB
        let simulator = try await running()
        for index in 0..<120 { simulator.state.createCustomer(email: "c\(index)@example.com") }
        let transport = CurlTransport(maxResponseBytes: 4_096)

        // When it is fetched
        let error = await #expect(throws: HTTPTransportError.self) {
            try await transport.execute(request(simulator, "/v1/customers?limit=100"))
        }

        // Then the transfer stops at the cap, and the next small answer still arrives
        #expect(error?.kind == .responseTooLarge)
        #expect(error?.message == "the response body passed 4096 bytes")
        #expect(try await transport.execute(request(simulator, "/v1/customers?limit=1")).status == 200)
        #expect(CurlTransport.defaultMaxResponseBytes == 64 * 1024 * 1024)
        try await simulator.shutdown()
    }

    @Test("a body past the cap is a misbehaving Stripe (exit 69), not retried")
    func bodyCapThroughClient() async throws {
        let simulator = try await running()
        for index in 0..<120 { simulator.state.createCustomer(email: "c\(index)@example.com") }
        let stripe = StripeClient(configuration: StripeClientConfiguration(apiKey: Secret("sk_test_tally"), apiBase: simulator.baseURL,
                                                                           maxRequestsPerSecond: 0),
                                  transport: CurlTransport(maxResponseBytes: 4_096), clock: ManualClock())
        let error = await #expect(throws: StripeError.self) { try await stripe.customers() }
        #expect(error?.code == .misbehaving && error?.exitStatus == .unavailable)
        #expect(simulator.requests.count == 1)
        try await simulator.shutdown()
    }
}
