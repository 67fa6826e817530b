import Foundation

/// `GET /v2/core/events` and `/v2/core/events/{id}`: v2 pages by URL (`next_page_url` with a `page` token),
/// filters by `types` and `created[gt]` (RFC 3339), newest first.
extension StripeRouter {
    func v2(_ resource: [String], _ storage: SimulatorStorage) throws(StripeAPIError) -> JSONValue {
        guard request.method == "GET", resource.count >= 2, resource[0] == "core", resource[1] == "events" else { throw unrecognized }
        if resource.count == 3 {
            guard let event = storage.v2Events.first(where: { $0.id == resource[2] }) else { throw .noSuch("event", resource[2]) }
            return storage.render(event)
        }
        guard resource.count == 2 else { throw unrecognized }
        // Like Stripe's, a page token carries the whole query: a next page needs nothing else.
        var types = Set(parameters.all("types") + parameters.pairs.filter { $0.0.hasPrefix("types[") }.map(\.1))
        var after: Int64?
        var offset = 0
        if let token = parameters["page"] {
            let fields = token.split(separator: "~", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 3, fields[0] == "p", let start = Int(fields[1]) else {
                throw .invalid("The page token is not valid.", param: "page")
            }
            offset = start
            after = Int64(fields[2])
            types = Set(fields.dropFirst(3))
        } else if let text = parameters["created[gt]"] {
            guard let date = (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text))
                    ?? (try? Date.ISO8601FormatStyle().parse(text)) else {
                throw .invalid("created[gt] must be an RFC 3339 timestamp.", param: "created[gt]")
            }
            after = Int64(date.timeIntervalSince1970.rounded(.down))
        }
        let limit = min(max(parameters["limit"].flatMap(Int.init) ?? 20, 1), 20)
        let matching = storage.v2Events.reversed().filter { event in
            (types.isEmpty || types.contains(event.type)) && (after.map { event.created > $0 } ?? true)
        }
        let page = matching.dropFirst(offset).prefix(limit)
        let token = (["p", String(offset + page.count), after.map(String.init) ?? ""] + types.sorted()).joined(separator: "~")
        let next: JSONValue = offset + page.count < matching.count ? .string("/v2/core/events?page=\(token)&limit=\(limit)") : .null
        return .object([("data", .array(page.map(storage.render))), ("next_page_url", next), ("previous_page_url", .null)])
    }
}
