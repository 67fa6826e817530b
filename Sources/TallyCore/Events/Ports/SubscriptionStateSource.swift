import Foundation

/// What Tally knows of the app's subscriptions and where that knowledge came from: the complete listings of
/// Stripe's subscriptions (`tally_subscription_sync_runs`), every subscription synced by an event or a listing
/// (`tally_subscription_syncs`), and the subscription and customer each team names (the app's `teams`).
/// `tally-events` reads it to decide when to list, `tally-alerts` to never mistake "not synced" for "none".
public protocol SubscriptionStateSource: Sendable {
    /// The newest complete listing, or nil when Stripe's subscriptions were never listed.
    func latestSubscriptionListing() async throws -> SubscriptionListingRecord?
    /// Every subscription an event or a listing synced, ended ones included, by subscription id.
    func syncedSubscriptions() async throws -> [SyncedSubscription]
    /// Each team's `stripe_customer_id` and `stripe_subscription_id`, by team id. An app whose `teams` has no
    /// `stripe_subscription_id` column gives nil subscriptions; a database without `teams` gives no teams.
    func teamSubscriptionReferences() async throws -> [TeamSubscriptionReference]
}

/// Writes what a listing of Stripe's subscriptions found.
public protocol SubscriptionListingStore: SubscriptionStateSource {
    /// Applies each listed subscription's sync in one transaction, with the same guard as events: a
    /// subscription that an event newer than the listing (or its cancellation) already synced is left alone.
    func applyListedSubscriptions(_ syncs: [SubscriptionSync]) async throws -> [SubscriptionSyncOutcome]
    /// Records a complete listing; only a listing that wrote every subscription is recorded.
    func recordSubscriptionListing(_ listing: SubscriptionListingRecord) async throws
}

/// One row of `tally_subscription_sync_runs`: a complete listing of Stripe's subscriptions.
public struct SubscriptionListingRecord: Sendable, Equatable {
    /// When the listing started: every listed subscription is at least this new, so it is the sync's stamp.
    public var listedAt: Date
    public var finishedAt: Date
    public var reason: SubscriptionListingReason
    /// Subscriptions listed (every status), and the items written for them.
    public var subscriptions: Int
    public var items: Int

    public init(listedAt: Date, finishedAt: Date, reason: SubscriptionListingReason, subscriptions: Int, items: Int) {
        self.listedAt = listedAt
        self.finishedAt = finishedAt
        self.reason = reason
        self.subscriptions = subscriptions
        self.items = items
    }
}

/// Why `tally-events` listed every subscription.
public enum SubscriptionListingReason: String, Sendable, Equatable, CaseIterable {
    /// No listing was ever recorded: events reach back 30 days only, older subscriptions come from the list.
    case firstRun = "first_run"
    /// A team names a subscription (or a customer) Tally has not synced.
    case unknownSubscription = "unknown_subscription"
    /// The last listing is older than the schedule's maximum age.
    case weekly
}

/// One row of `tally_subscription_syncs`: the subscription, its customer, whether it ended, and the stamp of
/// the event or listing that synced it last.
public struct SyncedSubscription: Sendable, Equatable {
    public var subscriptionID: String
    /// Nil for subscriptions synced before Tally recorded customers (until the next listing).
    public var customerID: String?
    public var ended: Bool
    public var syncedAt: Date

    public init(subscriptionID: String, customerID: String?, ended: Bool, syncedAt: Date) {
        self.subscriptionID = subscriptionID
        self.customerID = customerID
        self.ended = ended
        self.syncedAt = syncedAt
    }
}

/// What a team of the app names in Stripe.
public struct TeamSubscriptionReference: Sendable, Equatable {
    public var teamID: String
    public var customerID: String?
    public var subscriptionID: String?

    public init(teamID: String, customerID: String?, subscriptionID: String?) {
        self.teamID = teamID
        self.customerID = customerID
        self.subscriptionID = subscriptionID
    }
}

/// The synced subscriptions as lookups: which subscription ids and which customers Tally knows.
public struct SyncedSubscriptionIndex: Sendable {
    public let subscriptionIDs: Set<String>
    public let customerIDs: Set<String>

    public init(_ synced: [SyncedSubscription]) {
        subscriptionIDs = Set(synced.map(\.subscriptionID))
        customerIDs = Set(synced.compactMap(\.customerID))
    }

    /// The subscription `team` names when Tally has never synced it; nil when it names none or a known one.
    public func unsyncedSubscription(of team: TeamSubscriptionReference) -> String? {
        guard let id = team.subscriptionID, !id.isEmpty, !subscriptionIDs.contains(id) else { return nil }
        return id
    }

    /// Whether `team` has a customer of which no subscription is known (and names no subscription itself).
    public func customerWithoutKnownSubscription(_ team: TeamSubscriptionReference) -> Bool {
        guard team.subscriptionID?.isEmpty ?? true, let customer = team.customerID, !customer.isEmpty else { return false }
        return !customerIDs.contains(customer)
    }
}
