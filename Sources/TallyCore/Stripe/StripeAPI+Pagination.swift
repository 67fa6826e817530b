/// Lists: Stripe pages of up to 100, followed with `starting_after` while `has_more`.
extension StripeAPI {
    /// Every object of the list at `path`, all pages fetched.
    public func list<T: Decodable & Sendable>(_ type: T.Type = T.self, path: String,
                                               parameters: [String: FormValue] = [:]) async throws -> [T] {
        var all: [T] = []
        for try await element in listStream(type, path: path, parameters: parameters) {
            all.append(element)
        }
        return all
    }

    /// The list at `path` as a stream, fetching the next page only when the consumer reaches it.
    public func listStream<T: Decodable & Sendable>(_ type: T.Type = T.self, path: String,
                                                     parameters: [String: FormValue] = [:]) -> AsyncThrowingStream<T, any Error> {
        let pager = StripeListPager<T>(api: self, path: path, parameters: parameters)
        return AsyncThrowingStream { try await pager.next() }
    }
}

/// Walks one Stripe list page by page for `listStream`.
///
/// A list that never ends (a cursor that comes back, or more pages than any Stripe account holds) is a
/// `StripeError` with code `misbehaving` instead of a loop that grows until the host gives out.
actor StripeListPager<T: Decodable & Sendable> {
    /// Stripe's largest page.
    static var pageSize: Int64 { 100 }
    /// A million objects: beyond any account Tally reconciles, so a list this long is a broken one.
    static var maxPages: Int { 10_000 }

    private let api: any StripeAPI
    private let path: String
    private let parameters: [String: FormValue]
    private let maxPages: Int
    private var cursor: String?
    private var seenCursors: Set<String> = []
    private var pages = 0
    private var finished = false
    private var pending: [T] = []

    init(api: any StripeAPI, path: String, parameters: [String: FormValue], maxPages: Int = StripeListPager.maxPages) {
        self.api = api
        self.path = path
        self.parameters = parameters
        self.maxPages = maxPages
    }

    /// The next object, or nil after the last page.
    func next() async throws -> T? {
        while pending.isEmpty {
            if finished { return nil }
            // A stop request (or a cancelled task) ends a long walk between pages.
            try Task.checkCancellation()
            let endpoint = StripeRequest.get(path).endpoint
            guard pages < maxPages else {
                throw StripeError.endlessList(endpoint, pages: pages, repeatedCursor: nil)
            }
            var query = parameters
            query["limit"] = .integer(Self.pageSize)
            if let cursor { query["starting_after"] = .string(cursor) }
            let response = try await api.send(.get(path, query))
            pages += 1
            let page = try response.decode(StripeList<T>.self)
            let ids = try response.decode(StripeList<StripeObjectID>.self)
            cursor = ids.data.last?.id
            // A page that says "more" but gives no cursor would loop forever; stop instead.
            finished = !page.hasMore || cursor == nil || page.data.isEmpty
            if !finished, let cursor, !seenCursors.insert(cursor).inserted {
                throw StripeError.endlessList(endpoint, pages: pages, repeatedCursor: cursor)
            }
            pending = page.data.reversed()
        }
        return pending.popLast()
    }
}
