import Foundation

/// v2 events, for Stripe's meter error reports.
extension StripeAPI {
    /// v2 events of `type` created after `createdAfter`, oldest first, each with its `data` (fetched from
    /// `/v2/core/events/{id}` when the list left it out). Pages are followed through `next_page_url`.
    public func v2Events(type: String, createdAfter: Date?) async throws -> [V2Event] {
        var parameters: [String: FormValue] = ["types": .string(type), "limit": .integer(20)]
        if let createdAfter { parameters["created"] = ["gt": .string(V2Dates.text(createdAfter))] }
        var events: [V2Event] = []
        var pages = 0
        while true {
            let response = try await send(.get("/v2/core/events", parameters))
            let page = try response.decodeV2(V2EventPage.self)
            events += page.data
            pages += 1
            // The next page is exactly the query `next_page_url` carries (its page token holds the filters);
            // a runaway of pages is cut off.
            guard let next = page.nextPageUrl, let items = URLComponents(string: next)?.queryItems,
                  items.contains(where: { $0.name == "page" }), pages < 1000 else { break }
            parameters = Dictionary(items.map { ($0.name, FormValue.string($0.value ?? "")) }, uniquingKeysWith: { _, last in last })
        }
        var complete: [V2Event] = []
        for event in events {
            if event.data != nil {
                complete.append(event)
            } else {
                complete.append(try await send(.get("/v2/core/events/\(StripePath.segment(event.id))")).decodeV2(V2Event.self))
            }
        }
        return complete.sorted { ($0.created, $0.id) < ($1.created, $1.id) }
    }
}

extension StripeResponse {
    /// The body decoded with v2's conventions: snake_case keys, RFC 3339 times (with or without fractions).
    func decodeV2<T: Decodable>(_ type: T.Type) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = V2Dates.date(text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an RFC 3339 time"))
            }
            return date
        }
        do {
            return try decoder.decode(T.self, from: body)
        } catch {
            throw StripeError.decoding(error, endpoint: endpoint, requestID: requestID, type: String(describing: T.self))
        }
    }
}

/// RFC 3339 times as Stripe's v2 API writes them.
enum V2Dates {
    static func date(_ text: String) -> Date? {
        (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text))
            ?? (try? Date.ISO8601FormatStyle().parse(text))
    }

    static func text(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
