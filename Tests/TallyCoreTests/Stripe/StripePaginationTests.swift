import Foundation
import Testing
@testable import TallyCore

@Suite("Pagination follows has_more and starting_after")
struct StripePaginationTests {
    func page(_ ids: ClosedRange<Int>, hasMore: Bool) -> ScriptedTransport.Answer {
        let objects = ids.map { #"{"id": "cus_\#($0)", "object": "customer", "created": \#($0)}"# }.joined(separator: ",")
        return ScriptedTransport.json(200, #"{"object": "list", "url": "/v1/customers", "has_more": \#(hasMore), "data": [\#(objects)]}"#)
    }

    @Test("three pages are fetched in order, each starting after the last id of the previous one")
    func threePages() async throws {
        let transport = ScriptedTransport([page(1...100, hasMore: true), page(101...200, hasMore: true), page(201...230, hasMore: false)])
        let stripe = StripeClient(configuration: StripeClientConfiguration(apiKey: Secret("sk_test_x"), apiBase: "http://stripe.test",
                                                                           maxRequestsPerSecond: 0),
                                  transport: transport, clock: ManualClock())
        let customers = try await stripe.customers()
        #expect(customers.map(\.id) == (1...230).map { "cus_\($0)" })
        #expect(transport.requests.map(\.url) == [
            "http://stripe.test/v1/customers?limit=100",
            "http://stripe.test/v1/customers?limit=100&starting_after=cus_100",
            "http://stripe.test/v1/customers?limit=100&starting_after=cus_200",
        ])
    }

    @Test("the stream fetches a page only when the consumer reaches it")
    func lazyStream() async throws {
        let transport = ScriptedTransport([page(1...100, hasMore: true), page(101...200, hasMore: false)])
        let stripe = StripeClient(configuration: StripeClientConfiguration(apiKey: Secret("sk_test_x"), apiBase: "http://stripe.test",
                                                                           maxRequestsPerSecond: 0),
                                  transport: transport, clock: ManualClock())
        var iterator = stripe.listStream(Customer.self, path: "/v1/customers").makeAsyncIterator()
        #expect(try await iterator.next()?.id == "cus_1")
        #expect(transport.requests.count == 1)
    }
}
