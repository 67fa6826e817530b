/// Stripe's standard list envelope: one page of `data` and whether more follow.
public struct StripeList<Element: Decodable & Sendable>: Decodable, Sendable {
    public var data: [Element]
    public var hasMore: Bool
    /// The list's own path, e.g. `/v1/invoices/in_1/lines`.
    public var url: String?

    public init(data: [Element], hasMore: Bool, url: String? = nil) {
        self.data = data
        self.hasMore = hasMore
        self.url = url
    }
}

extension StripeList: Equatable where Element: Equatable {}

/// Just the `id` of a listed object: what pagination needs for `starting_after`, whatever the type.
struct StripeObjectID: Decodable, Sendable {
    var id: String?
}
