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
        let types = Set(parameters.all("types") + parameters.pairs.filter { $0.0.hasPrefix("types[") }.map(\.1))
        var after: Int64?
        if let text = parameters["created[gt]"] {
            guard let date = (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text))
                    ?? (try? Date.ISO8601FormatStyle().parse(text)) else {
                throw .invalid("created[gt] must be an RFC 3339 timestamp.", param: "created[gt]")
            }
            after = Int64(date.timeIntervalSince1970.rounded(.down))
        }
        let limit = min(max(parameters["limit"].flatMap(Int.init) ?? 20, 1), 20)
        let offset = parameters["page"].flatMap { Int($0.dropFirst(5)) } ?? 0
        let matching = storage.v2Events.reversed().filter { event in
            (types.isEmpty || types.contains(event.type)) && (after.map { event.created > $0 } ?? true)
        }
        let page = matching.dropFirst(offset).prefix(limit)
        var query = "page=page_\(offset + page.count)&limit=\(limit)"
        for type in types.sorted() { query += "&types=\(type)" }
        let next: JSONValue = offset + page.count < matching.count ? .string("/v2/core/events?\(query)") : .null
        return .object([("data", .array(page.map(storage.render))), ("next_page_url", next), ("previous_page_url", .null)])
    }
}
