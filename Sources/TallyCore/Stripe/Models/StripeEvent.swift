import Foundation

/// A Stripe event (`GET /v1/events`): its object is kept as raw JSON and decoded on demand.
public struct StripeEvent: Decodable, Sendable, Equatable {
    public var id: String
    /// e.g. `invoice.payment_failed`.
    public var type: String
    public var created: Date
    public var apiVersion: String?
    public var pendingWebhooks: Int?
    public var livemode: Bool?
    public var request: Request?
    public var data: EventData

    /// The API request that caused the event, if any.
    public struct Request: Decodable, Sendable, Equatable {
        public var id: String?
        public var idempotencyKey: String?
    }

    /// The object as it was when the event happened, and what changed.
    public struct EventData: Decodable, Sendable, Equatable {
        public var object: RawJSON
        public var previousAttributes: RawJSON?
    }

    /// The `object` field of `data.object`, e.g. `invoice`.
    public var objectType: String? { data.object["object"]?.stringValue }
    /// The id of `data.object`.
    public var objectID: String? { data.object["id"]?.stringValue }

    /// `data.object` decoded as `type`.
    public func object<T: Decodable>(as type: T.Type) throws -> T { try data.object.decode(as: type) }
    /// `data.object` as an invoice, for `invoice.*` events.
    public func invoice() throws -> Invoice { try object(as: Invoice.self) }
    /// `data.object` as a subscription, for `customer.subscription.*` events.
    public func subscription() throws -> Subscription { try object(as: Subscription.self) }
    /// `data.object` as a customer, for `customer.*` events.
    public func customer() throws -> Customer { try object(as: Customer.self) }
}
