import Foundation

/// A billing meter (`billing.meter`): which events it counts and how it aggregates them.
public struct Meter: Decodable, Sendable, Equatable {
    public var id: String
    public var displayName: String?
    /// The `event_name` meter events must carry to count here.
    public var eventName: String
    /// `active` or `inactive`.
    public var status: String?
    public var customerMapping: CustomerMapping?
    public var defaultAggregation: Aggregation?
    public var valueSettings: ValueSettings?
    /// `nil`, `hour` or `day`.
    public var eventTimeWindow: String?
    public var created: Date?
    public var updated: Date?
    public var livemode: Bool?

    /// How an event names its customer.
    public struct CustomerMapping: Decodable, Sendable, Equatable {
        /// The payload key holding the customer id (Stripe's default: `stripe_customer_id`).
        public var eventPayloadKey: String
        public var type: String?
    }

    /// How events are combined: `sum`, `count` or `last`.
    public struct Aggregation: Decodable, Sendable, Equatable {
        public var formula: String
    }

    /// Where an event carries its value.
    public struct ValueSettings: Decodable, Sendable, Equatable {
        /// The payload key holding the value (Stripe's default: `value`).
        public var eventPayloadKey: String
    }

    /// The payload key for the customer, with Stripe's default when the meter does not say.
    public var customerPayloadKey: String { customerMapping?.eventPayloadKey ?? "stripe_customer_id" }
    /// The payload key for the value, with Stripe's default when the meter does not say.
    public var valuePayloadKey: String { valueSettings?.eventPayloadKey ?? "value" }
}
