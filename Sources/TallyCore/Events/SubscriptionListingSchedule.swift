import Foundation

/// When `tally-events` lists every Stripe subscription (`GET /v1/subscriptions?status=all`) instead of relying
/// on events alone. Stripe keeps events for 30 days, so an annual plan (or any subscription untouched for a
/// month) reaches Tally only through the list.
public struct SubscriptionListingSchedule: Sendable, Equatable {
    /// A listing older than this is repeated (weekly), catching whatever events never told.
    public var maxAge: TimeInterval
    /// A team whose customer has no known subscription (and names none) asks for a listing only when the last
    /// one is older than this: a customer that has no subscription at all in Stripe would otherwise cause a
    /// listing on every run. A team naming an unknown subscription id always asks at once.
    public var customerRecheck: TimeInterval

    public init(maxAge: TimeInterval = 7 * 86_400, customerRecheck: TimeInterval = 86_400) {
        self.maxAge = maxAge
        self.customerRecheck = customerRecheck
    }

    /// Why a listing is due now, or nil when the synced state is complete and fresh enough.
    public func reason(lastListing: Date?, now: Date, teams: [TeamSubscriptionReference],
                       synced: SyncedSubscriptionIndex) -> SubscriptionListingReason? {
        guard let lastListing else { return .firstRun }
        if teams.contains(where: { synced.unsyncedSubscription(of: $0) != nil }) { return .unknownSubscription }
        if now.timeIntervalSince(lastListing) >= customerRecheck,
           teams.contains(where: synced.customerWithoutKnownSubscription) {
            return .unknownSubscription
        }
        if now.timeIntervalSince(lastListing) >= maxAge { return .weekly }
        return nil
    }
}
