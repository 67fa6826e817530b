import Foundation

/// An event from `GET /v1/events`, decoded, with its JSON kept for `stripe_events.payload`.
public struct FetchedStripeEvent: Decodable, Sendable, Equatable {
    public var event: StripeEvent
    /// The event's JSON as Stripe sent it (keys sorted, so the same event always stores the same text).
    public var payload: String

    public init(from decoder: any Decoder) throws {
        event = try StripeEvent(from: decoder)
        // RawJSON keeps Stripe's snake_case keys: the decoder's key strategy skips String-keyed dictionaries.
        let json = try RawJSON(from: decoder)
        payload = try Self.text(of: json)
    }

    public init(event: StripeEvent, payload: String) {
        self.event = event
        self.payload = payload
    }

    /// The row to store for this event, not yet processed.
    public var record: StripeEventRecord {
        StripeEventRecord(eventID: event.id, eventType: event.type, created: event.created, payload: payload)
    }

    static func text(of json: RawJSON) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(json), as: UTF8.self)
    }
}
