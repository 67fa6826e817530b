/// Subscriptions and subscription items.
extension StripeRouter {
    func subscriptions(_ resource: [String], _ storage: inout SimulatorStorage) throws(StripeAPIError) -> JSONValue {
        if resource[0] == "subscription_items" {
            guard request.method == "GET", resource.count == 1 else { throw unrecognized }
            let id = try parameters.required("subscription")
            guard let subscription = storage.subscriptions[id] else { throw .noSuch("subscription", id, param: "subscription") }
            return try list(Array(subscription.items.reversed()), id: \.id,
                            url: "/v1/subscription_items?subscription=\(id)") {
                storage.render($0, subscription: id)
            }
        }
        switch (request.method, resource.count) {
        case ("POST", 1):
            var items: [(price: String, quantity: Int64?)] = []
            while let price = parameters["items[\(items.count)][price]"] {
                items.append((price, try parameters.integer("items[\(items.count)][quantity]")))
            }
            return storage.render(try storage.createSubscription(
                customer: try parameters.required("customer"), items: items,
                metadata: parameters.entries(under: "metadata"), now: now, origin: origin))
        case ("GET", 1):
            let customer = parameters["customer"]
            let price = parameters["price"]
            let status = parameters["status"]
            let created = try parameters.timeRange("created")
            let matching = storage.subscriptions.newestFirst.filter { subscription in
                let statusMatches = switch status {
                case nil: subscription.status != "canceled"
                case "all": true
                default: subscription.status == status
                }
                return statusMatches && (customer == nil || subscription.customer == customer)
                    && (price == nil || subscription.items.contains { $0.price == price }) && created(subscription.created)
            }
            return try list(matching, id: \.id, url: "/v1/subscriptions", render: storage.render)
        case ("GET", 2):
            guard let subscription = storage.subscriptions[resource[1]] else { throw .noSuch("subscription", resource[1]) }
            return storage.render(subscription)
        case ("DELETE", 2):
            return storage.render(try storage.cancelSubscription(resource[1], now: now, origin: origin))
        default: throw unrecognized
        }
    }
}
