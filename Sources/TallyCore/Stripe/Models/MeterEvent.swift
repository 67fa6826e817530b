import Foundation

/// A usage event as Stripe acknowledged it (`billing.meter_event`).
public struct MeterEvent: Decodable, Sendable, Equatable {
    public var eventName: String
    /// Unique within Stripe's rolling deduplication window (at least 24 hours).
    public var identifier: String?
    /// Customer and value under the meter's payload keys; values are strings.
    public var payload: [String: String]
    public var timestamp: Date
    public var created: Date?
    public var livemode: Bool?
}

/// What Tally sends to record usage: `POST /v1/billing/meter_events`.
public struct MeterEventSubmission: Sendable, Equatable {
    public var eventName: String
    /// Stable per usage row, so a re-send is deduplicated by Stripe (at most 100 characters).
    public var identifier: String
    /// The payload, keyed by the meter's customer and value keys.
    public var payload: [String: String]
    /// Must lie within the past 35 days and at most 5 minutes ahead.
    public var timestamp: Date

    public init(eventName: String, identifier: String, payload: [String: String], timestamp: Date) {
        self.eventName = eventName
        self.identifier = identifier
        self.payload = payload
        self.timestamp = timestamp
    }

    /// The same event built from a meter's payload keys.
    public init(meter: Meter, customerID: String, value: Int64, identifier: String, timestamp: Date) {
        self.init(
            eventName: meter.eventName,
            identifier: identifier,
            payload: [meter.customerPayloadKey: customerID, meter.valuePayloadKey: String(value)],
            timestamp: timestamp
        )
    }

    /// The form parameters Stripe expects.
    var parameters: [String: FormValue] {
        [
            "event_name": .string(eventName),
            "identifier": .string(identifier),
            "payload": .dictionary(payload.mapValues { .string($0) }),
            "timestamp": .timestamp(timestamp),
        ]
    }
}
