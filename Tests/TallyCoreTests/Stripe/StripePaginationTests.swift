import Foundation
import Testing
import TallyTestKit
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

    @Test("a list that answers the same page and cursor again stops with exit 69 instead of looping for ever",
          .timeLimit(.minutes(1)))
    func repeatedCursor() async throws {
        // Given a list whose every answer is the first page, still saying has_more
        let transport = ScriptedTransport([page(1...100, hasMore: true)])
        let stripe = StripeClient(configuration: StripeClientConfiguration(apiKey: Secret("sk_test_x"), apiBase: "http://stripe.test",
                                                                           maxRequestsPerSecond: 0),
                                  transport: transport, clock: ManualClock())

        // When Tally lists it
        let error = await #expect(throws: StripeError.self) { try await stripe.customers() }

        // Then it stops at the second page, naming the list, the cursor and why, with a misbehaving service's code
        #expect(error?.code == .misbehaving)
        #expect(error?.exitStatus == .unavailable)
        #expect(error?.message.contains("GET /v1/customers returned the cursor cus_100 a second time") == true, "\(error?.message ?? "")")
        #expect(transport.requests.count == 2)
    }

    @Test("a list still saying has_more past the page limit stops with exit 69", .timeLimit(.minutes(1)))
    func absurdPageCount() async throws {
        // Given a list that hands out new cursors for ever
        let transport = ScriptedTransport((0..<5).map { page($0 * 100 + 1...$0 * 100 + 100, hasMore: true) })
        let stripe = StripeClient(configuration: StripeClientConfiguration(apiKey: Secret("sk_test_x"), apiBase: "http://stripe.test",
                                                                           maxRequestsPerSecond: 0),
                                  transport: transport, clock: ManualClock())
        let pager = StripeListPager<Customer>(api: stripe, path: "/v1/customers", parameters: [:], maxPages: 3)

        // When it is walked with a limit of three pages
        var read = 0
        let error = await #expect(throws: StripeError.self) {
            while try await pager.next() != nil { read += 1 }
        }

        // Then the three pages are read and the fourth is never asked for
        #expect(error?.code == .misbehaving)
        #expect(error?.message.contains("still said has_more after 3 pages") == true, "\(error?.message ?? "")")
        #expect(read == 300 && transport.requests.count == 3)
    }
}
