/// Dispatches an authenticated Stripe API request to the storage, under the state's lock.
struct StripeRouter {
    let request: SimulatorRequest
    let parameters: FormParameters
    let now: Int64
    let origin: EventOrigin

    init(request: SimulatorRequest, now: Int64) {
        self.request = request
        parameters = request.parameters
        self.now = now
        origin = EventOrigin(requestID: request.requestID, idempotencyKey: request.header("Idempotency-Key"))
    }

    func route(_ storage: inout SimulatorStorage) throws(StripeAPIError) -> JSONValue {
        let segments = request.segments
        if segments.first == "v2" { return try v2(Array(segments.dropFirst()), storage) }
        guard segments.first == "v1", segments.count >= 2 else { throw unrecognized }
        let resource = Array(segments.dropFirst())
        switch (request.method, resource.first) {
        case (_, "customers"): return try customers(resource, &storage)
        case (_, "products"): return try products(resource, &storage)
        case (_, "prices"): return try prices(resource, &storage)
        case (_, "subscriptions"), (_, "subscription_items"): return try subscriptions(resource, &storage)
        case (_, "billing"): return try billing(Array(resource.dropFirst()), &storage)
        case (_, "invoices"): return try invoices(resource, storage)
        case (_, "events"): return try events(resource, storage)
        default: throw unrecognized
        }
    }

    /// Stripe's answer for a path or method it does not serve.
    var unrecognized: StripeAPIError {
        StripeAPIError(status: 404, message: "Unrecognized request URL (\(request.method): \(request.path)). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.")
    }

    /// Renders a newest-first page of `items`.
    func list<Item>(_ items: [Item], id: (Item) -> String, url: String,
                    render: (Item) -> JSONValue) throws(StripeAPIError) -> JSONValue {
        let page = try ListPagination.page(items, id: id, parameters: parameters)
        return SimulatorStorage.list(page.items.map(render), hasMore: page.hasMore, url: url)
    }
}
