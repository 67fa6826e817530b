import Foundation
import Logging
import Testing
import TallyCore
import TallySandbox
import TallyTestKit

/// Names for emails: the billing events' cache first, then Stripe in the fewest calls — never one call per
/// customer in series.
@Suite("Customer names for emails")
struct CustomerNamesTests {
    static let key = "sk_test_names"

    /// The names the billing events stored.
    struct StoredNames: CustomerNameCache {
        var names: [String: String]
        func customerNames(among ids: [String]) async throws -> [String: String] { names.filter { ids.contains($0.key) } }
    }

    /// A simulator holding `count` customers named "Customer <n>", and a client for it.
    static func withStripe(customers count: Int, _ body: (StripeSimulator, any StripeAPI, [String]) async throws -> Void) async throws {
        let simulator = StripeSimulator(configuration: SimulatorConfiguration(apiKeys: [key], startTime: Date()))
        try await simulator.start()
        let ids = (0..<count).map { simulator.state.createCustomer(email: "c\($0)@example.com", name: "Customer \($0)").id }
        let stripe = StripeClient(configuration: StripeClientConfiguration(apiKey: Secret(key), apiBase: simulator.baseURL, maxRequestsPerSecond: 0),
                                  transport: CurlTransport())
        do {
            try await body(simulator, stripe, ids)
        } catch {
            try? await simulator.shutdown()
            throw error
        }
        try await simulator.shutdown()
    }

    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    static func customerCalls(_ simulator: StripeSimulator) -> (one: Int, list: Int) {
        let paths = simulator.requests.map(\.path)
        return (paths.filter { $0.hasPrefix("/v1/customers/") }.count, paths.filter { $0 == "/v1/customers" }.count)
    }

    @Test("names the billing events keep cost no Stripe call")
    func fromTheCache() async throws {
        try await Self.withStripe(customers: 3) { simulator, stripe, ids in
            let cache = StoredNames(names: [ids[0]: "Acme", ids[1]: "Beta"])
            let names = await CustomerNames(cache: cache, stripe: stripe, logger: Self.logger)
                .names(of: [ids[0], ids[1]], customerCount: 3)
            #expect(names == [ids[0]: "Acme", ids[1]: "Beta"])
            #expect(Self.customerCalls(simulator) == (0, 0))
        }
    }

    @Test("a few missing names in a large account are fetched one each, the cached ones not at all")
    func fewMissing() async throws {
        try await Self.withStripe(customers: 5) { simulator, stripe, ids in
            let cache = StoredNames(names: [ids[0]: "Acme"])
            let names = await CustomerNames(cache: cache, stripe: stripe, logger: Self.logger)
                .names(of: [ids[0], ids[3], ids[4]], customerCount: 5_000)
            #expect(names == [ids[0]: "Acme", ids[3]: "Customer 3", ids[4]: "Customer 4"])
            #expect(Self.customerCalls(simulator) == (2, 0))
        }
    }

    @Test("many missing names come from the customer list, stopped once all are found")
    func manyMissing() async throws {
        try await Self.withStripe(customers: 250) { simulator, stripe, ids in
            let wanted = Set(ids.prefix(150))
            let names = await CustomerNames(cache: StoredNames(names: [:]), stripe: stripe, logger: Self.logger)
                .names(of: wanted, customerCount: 250)
            #expect(names.count == 150)
            #expect(names[ids[0]] == "Customer 0" && names[ids[149]] == "Customer 149")
            let calls = Self.customerCalls(simulator)
            #expect(calls.one == 0)
            #expect(calls.list <= 3)
        }
    }

    @Test("a Stripe that cannot be reached leaves the ids, never fails")
    func unreachable() async throws {
        let stripe = StripeClient(configuration: StripeClientConfiguration(apiKey: Secret(Self.key), apiBase: "http://127.0.0.1:9",
                                                                           maxRequestsPerSecond: 0, maxAttempts: 1),
                                  transport: CurlTransport())
        let names = await CustomerNames(cache: StoredNames(names: ["cus_a": "Acme"]), stripe: stripe, logger: Self.logger)
            .names(of: ["cus_a", "cus_b"], customerCount: nil)
        #expect(names == ["cus_a": "Acme"])
    }
}
