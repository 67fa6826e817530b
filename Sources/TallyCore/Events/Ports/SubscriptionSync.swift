import Foundation

/// What one subscription event changes in `subscription_items`.
///
/// Each subscription remembers the `created` of the event that last synced it (`tally_subscription_syncs`),
/// so an older event processed late (a retry, an out-of-order delivery) never overwrites newer data. Events
/// of the same second apply in processing order. A canceled subscription never comes back in Stripe, so
/// once one is ended no later-processed event brings its items back.
///
/// A listing of Stripe's subscriptions applies each one as a sync stamped with the listing's start
/// (`eventID` then names the listing), so events older than the listing never overwrite it, newer ones do.
public struct SubscriptionSync: Sendable, Equatable {
    public var subscriptionID: String
    /// The event that carries the change (or the listing, `list@<time>`).
    public var eventID: String
    public var eventCreated: Date
    public var change: Change
    /// The subscription's customer, kept in `tally_subscription_syncs` so a customer with only ended
    /// subscriptions is known.
    public var customerID: String?

    /// The new state of the subscription's items.
    public enum Change: Sendable, Equatable {
        /// These are all its items now: upsert them, delete the others.
        case items([SubscriptionItemRecord])
        /// The subscription ended: delete its items.
        case ended
    }

    public init(subscriptionID: String, eventID: String, eventCreated: Date, change: Change, customerID: String? = nil) {
        self.subscriptionID = subscriptionID
        self.eventID = eventID
        self.eventCreated = eventCreated
        self.change = change
        self.customerID = customerID
    }
}

/// What completing an event did to `subscription_items`.
public enum SubscriptionSyncOutcome: String, Sendable, Equatable {
    /// The event carries nothing to sync (recorded for the audit trail only).
    case nothingToSync
    /// The items were written.
    case applied
    /// A newer event (or the cancellation) already synced the subscription; nothing written.
    case skippedAsStale
}
