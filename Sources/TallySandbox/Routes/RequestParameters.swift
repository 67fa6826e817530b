/// Typed reads of Stripe form parameters, answering Stripe's 400s for bad values.
extension FormParameters {
    func required(_ name: String) throws(StripeAPIError) -> String {
        guard let value = self[name], !value.isEmpty else { throw .missing(name) }
        return value
    }

    func integer(_ name: String) throws(StripeAPIError) -> Int64? {
        guard let text = self[name] else { return nil }
        guard let value = Int64(text) else {
            throw .invalid("Invalid integer: \(text)", param: name, code: "parameter_invalid_integer")
        }
        return value
    }

    /// `created[gte]`-style bounds as a predicate on a Unix time.
    func timeRange(_ name: String) throws(StripeAPIError) -> (Int64) -> Bool {
        let exact = try integer(name)
        let gte = try integer("\(name)[gte]")
        let gt = try integer("\(name)[gt]")
        let lte = try integer("\(name)[lte]")
        let lt = try integer("\(name)[lt]")
        return { time in
            if let exact, time != exact { return false }
            if let gte, time < gte { return false }
            if let gt, time <= gt { return false }
            if let lte, time > lte { return false }
            if let lt, time >= lt { return false }
            return true
        }
    }
}

/// Stripe list pagination: newest first, `limit` 1-100 (default 10), `starting_after` / `ending_before`.
enum ListPagination {
    static func page<Item>(_ items: [Item], id: (Item) -> String,
                           parameters: FormParameters) throws(StripeAPIError) -> (items: [Item], hasMore: Bool) {
        let limit = try parameters.integer("limit") ?? 10
        guard (1...100).contains(limit) else {
            throw .invalid("Invalid limit: must be between 1 and 100", param: "limit", code: "parameter_invalid_integer")
        }
        let count = Int(limit)
        if let cursor = parameters["starting_after"], !cursor.isEmpty {
            guard let index = items.firstIndex(where: { id($0) == cursor }) else {
                throw .invalid("No such object: '\(cursor)'", param: "starting_after", code: "resource_missing")
            }
            let rest = items[(index + 1)...]
            return (Array(rest.prefix(count)), rest.count > count)
        }
        if let cursor = parameters["ending_before"], !cursor.isEmpty {
            guard let index = items.firstIndex(where: { id($0) == cursor }) else {
                throw .invalid("No such object: '\(cursor)'", param: "ending_before", code: "resource_missing")
            }
            let before = items[..<index]
            return (Array(before.suffix(count)), before.count > count)
        }
        return (Array(items.prefix(count)), items.count > count)
    }
}
