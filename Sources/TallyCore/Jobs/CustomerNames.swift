import Foundation
import Logging

/// Names for the customers an email mentions: first the names the billing events keep, then Stripe for
/// the rest, in as few calls as it takes — the missing ones fetched concurrently when they are fewer than
/// the pages of one customer list, else that paginated list, stopped as soon as every name is found.
///
/// Names only make a message easier to read: a customer nobody can name keeps its id, and a failed
/// look-up is a warning in the log, never a failed job.
public struct CustomerNames: Sendable {
    public var cache: any CustomerNameCache
    public var stripe: any StripeAPI
    public var logger: Logger
    /// Customers fetched at once when fetching one by one (the client's rate limit still applies).
    public var concurrency: Int

    public init(cache: any CustomerNameCache, stripe: any StripeAPI, logger: Logger, concurrency: Int = 8) {
        self.cache = cache
        self.stripe = stripe
        self.logger = logger
        self.concurrency = max(1, concurrency)
    }

    /// The names of `ids` that have one. `customerCount` is about how many customers the account holds
    /// (so what listing them all would cost); nil when unknown, which fetches the missing ones one by one.
    public func names(of ids: Set<String>, customerCount: Int? = nil) async -> [String: String] {
        guard !ids.isEmpty else { return [:] }
        var names: [String: String] = [:]
        do {
            names = try await cache.customerNames(among: ids.sorted())
        } catch {
            logger.warning("could not read customer names from the store; asking Stripe", metadata: ["error": "\(error)"])
        }
        let missing = ids.subtracting(names.keys)
        guard !missing.isEmpty else { return names }
        let listPages = customerCount.map { max(1, ($0 + 99) / 100) }
        do {
            if let listPages, listPages < missing.count {
                names.merge(try await listed(missing), uniquingKeysWith: { cached, _ in cached })
            } else {
                names.merge(try await fetched(missing), uniquingKeysWith: { cached, _ in cached })
            }
        } catch {
            logger.warning("could not look up customer names in Stripe; the email shows their ids", metadata: [
                "customers": "\(missing.count)", "error": "\(error)"])
        }
        return names
    }

    /// Walks the customer list until every one of `wanted` is seen.
    private func listed(_ wanted: Set<String>) async throws -> [String: String] {
        var names: [String: String] = [:]
        var unseen = wanted
        for try await customer in stripe.listStream(Customer.self, path: "/v1/customers") {
            guard unseen.remove(customer.id) != nil else { continue }
            if let name = customer.name, !name.isEmpty { names[customer.id] = name }
            if unseen.isEmpty { break }
        }
        return names
    }

    /// Fetches each of `wanted`, `concurrency` at a time; one that cannot be fetched keeps its id.
    private func fetched(_ wanted: Set<String>) async throws -> [String: String] {
        try await withThrowingTaskGroup(of: (String, String?).self) { group in
            var names: [String: String] = [:]
            var pending = wanted.sorted()[...]
            func startNext() {
                guard let id = pending.popFirst() else { return }
                group.addTask { (id, try? await stripe.customer(id: id).name) }
            }
            for _ in 0..<concurrency { startNext() }
            while let (id, name) = try await group.next() {
                if let name, !name.isEmpty { names[id] = name }
                startNext()
            }
            return names
        }
    }
}
