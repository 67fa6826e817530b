import Foundation

/// One row of `stripe_events`: a Stripe event as it arrived, kept for the audit trail.
public struct StripeEventRecord: Sendable, Equatable {
    /// Stripe's `evt_…` id, unique in the table.
    public var eventID: String
    /// e.g. `customer.subscription.updated`.
    public var eventType: String
    /// Stripe's `created`, whole seconds.
    public var created: Date
    /// The event's JSON as Stripe sent it.
    public var payload: String
    /// Whether the queue finished with it.
    public var processed: Bool

    public init(eventID: String, eventType: String, created: Date, payload: String, processed: Bool = false) {
        self.eventID = eventID
        self.eventType = eventType
        self.created = created
        self.payload = payload
        self.processed = processed
    }
}
