/// Invoices and their lines.
extension StripeRouter {
    func invoices(_ resource: [String], _ storage: SimulatorStorage) throws(StripeAPIError) -> JSONValue {
        guard request.method == "GET" else { throw unrecognized }
        switch resource.count {
        case 1:
            let customer = parameters["customer"]
            let subscription = parameters["subscription"]
            let status = parameters["status"]
            if let status, !["draft", "open", "paid", "uncollectible", "void"].contains(status) {
                throw .invalid("Invalid status: must be one of draft, open, paid, uncollectible, or void", param: "status")
            }
            let method = parameters["collection_method"]
            let created = try parameters.timeRange("created")
            let matching = storage.invoices.newestFirst.filter {
                (customer == nil || $0.customer == customer) && (subscription == nil || $0.subscription == subscription)
                    && (status == nil || $0.status == status) && created($0.created)
                    && (method == nil || method == "charge_automatically")
            }
            return try list(matching, id: \.id, url: "/v1/invoices") { storage.render($0) }
        case 2:
            guard let invoice = storage.invoices[resource[1]] else { throw .noSuch("invoice", resource[1]) }
            return storage.render(invoice)
        case 3 where resource[2] == "lines":
            guard let invoice = storage.invoices[resource[1]] else { throw .noSuch("invoice", resource[1]) }
            // Invoice lines keep their printed order rather than newest first.
            return try list(invoice.lines, id: \.id, url: "/v1/invoices/\(invoice.id)/lines") {
                storage.render($0, invoice: invoice.id)
            }
        default: throw unrecognized
        }
    }

    func events(_ resource: [String], _ storage: SimulatorStorage) throws(StripeAPIError) -> JSONValue {
        guard request.method == "GET" else { throw unrecognized }
        switch resource.count {
        case 1:
            // `types[]=a` and `types[0]=a` are both accepted, as form encoders differ.
            var types = Set(parameters.pairs.filter { $0.0.hasPrefix("types[") }.map(\.1))
            guard types.count <= 20 else {
                throw .invalid("You may pass at most 20 types.", param: "types")
            }
            if parameters["type"] != nil, !types.isEmpty {
                throw .invalid("You may pass either type or types, but not both.", param: "type")
            } else if let type = parameters["type"] {
                types = [type]
            }
            let delivery = parameters["delivery_success"].map { $0 == "true" }
            let created = try parameters.timeRange("created")
            // Stripe keeps events for 30 days.
            let oldest = now - 30 * 86_400
            let matching = storage.events.newestFirst.filter { event in
                event.created >= oldest && (types.isEmpty || types.contains { Self.matches(event.type, pattern: $0) })
                    && (delivery == nil || event.deliverySucceeded == delivery) && created(event.created)
            }
            return try list(matching, id: \.id, url: "/v1/events", render: storage.render)
        case 2:
            guard let event = storage.events[resource[1]] else { throw .noSuch("event", resource[1]) }
            return storage.render(event)
        default: throw unrecognized
        }
    }

    /// `type` accepts a trailing `*` wildcard, as Stripe does (`invoice.*`).
    private static func matches(_ type: String, pattern: String) -> Bool {
        pattern.hasSuffix("*") ? type.hasPrefix(pattern.dropLast()) : type == pattern
    }
}
