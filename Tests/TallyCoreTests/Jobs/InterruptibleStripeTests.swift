import Foundation
import Synchronization
import Testing
import TallySandbox
import TallyTestKit
@testable import TallyCore

/// SIGTERM is honoured within moments wherever a job is: no Stripe call starts after it, and a call in
/// flight is abandoned.
@Suite("A stop request ends Stripe calls at once")
struct InterruptibleStripeTests {
    @Test("a SIGTERM abandons a Stripe call in flight instead of waiting for its answer", .timeLimit(.minutes(1)))
    func abandonsInFlight() async throws {
        // Given a call the simulator will hold for 40 seconds, in flight on the transfer thread
        let simulator = StripeSimulator(configuration: SimulatorConfiguration(apiKeys: ["sk_test_tally"],
                                                                              faults: FaultPlan(latency: .seconds(40))))
        try await simulator.start()
        let transport = CurlTransport()
        let flag = InterruptFlag()
        let stripe = InterruptibleStripe(
            base: StripeClient(configuration: StripeClientConfiguration(apiKey: Secret("sk_test_tally"), apiBase: simulator.baseURL,
                                                                        maxRequestsPerSecond: 0),
                               transport: transport, clock: ManualClock()),
            interrupt: flag)
        let call = Task { try await stripe.send(.get("/v1/customers")) }
        var spins = 0
        while transport.activeTransfers == 0, spins < 1_000_000 {
            await Task.yield()
            spins += 1
        }
        #expect(transport.activeTransfers == 1)

        // When the job is asked to stop
        flag.request(signal: SIGTERM)

        // Then the call ends with the interruption (exit 75), and no later call starts
        let result = await call.result
        #expect(throws: JobInterrupted(signal: SIGTERM)) { try result.get() }
        await #expect(throws: JobInterrupted.self) { try await stripe.send(.get("/v1/customers")) }
        #expect(simulator.requests.isEmpty || simulator.requests.count == 1)
        try await simulator.shutdown()
    }

    @Test("a list that never ends stops at the page after a SIGTERM", .timeLimit(.minutes(1)))
    func endlessListStops() async throws {
        // Given a list that hands out a new cursor on every page, and a SIGTERM while page 3 is read
        let flag = InterruptFlag()
        let transport = CountingPages(signalOnPage: 3, flag: flag)
        let stripe = InterruptibleStripe(
            base: StripeClient(configuration: StripeClientConfiguration(apiKey: Secret("sk_test_x"), apiBase: "http://stripe.test",
                                                                        maxRequestsPerSecond: 0),
                               transport: transport, clock: ManualClock()),
            interrupt: flag)

        // When Tally lists it
        await #expect(throws: JobInterrupted.self) { try await stripe.customers() }

        // Then no page after the third is asked for
        #expect(transport.pages == 3)
    }
}

/// Answers every list request with a full page and a fresh cursor, and raises `flag` while answering page
/// `signalOnPage`.
final class CountingPages: HTTPTransport {
    private let count = Mutex(0)
    let signalOnPage: Int
    let flag: InterruptFlag

    init(signalOnPage: Int, flag: InterruptFlag) {
        self.signalOnPage = signalOnPage
        self.flag = flag
    }

    var pages: Int { count.withLock { $0 } }

    func execute(_ request: HTTPRequest) async throws -> HTTPResponse {
        let page = count.withLock { value -> Int in
            value += 1
            return value
        }
        if page == signalOnPage { flag.request(signal: SIGTERM) }
        let objects = (1...100).map { #"{"id": "cus_\#(page)_\#($0)", "object": "customer", "created": 1}"# }.joined(separator: ",")
        return HTTPResponse(status: 200, headers: ["Request-Id": "req_\(page)"],
                            body: Data(#"{"object": "list", "url": "/v1/customers", "has_more": true, "data": [\#(objects)]}"#.utf8))
    }
}
