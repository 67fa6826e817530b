import Foundation

/// A team's allowance and billing period for this run, or why it has none.
public enum TeamAllowance: Sendable, Equatable {
    /// The team is on an active subscription whose items map to `tokens` in `period`.
    case allowed(tokens: Int64, features: [String], period: TeamBillingPeriod)
    /// The team cannot be evaluated; `reason` says why, for the run summary.
    case skipped(reason: SkipReason)

    /// Why a team was not evaluated.
    public enum SkipReason: Sendable, Equatable, CustomStringConvertible {
        case noStripeCustomer
        case noActiveSubscription
        /// The team names a subscription Tally has not synced from Stripe yet: not evaluated, never taken
        /// for "no subscription".
        case subscriptionNotSynced(subscriptionID: String)
        /// No product or price of its items is in `PLANS` or carries `tally_tokens` metadata.
        case unmappedPlan(ids: [String])

        public var description: String {
            switch self {
            case .noStripeCustomer: "no Stripe customer"
            case .noActiveSubscription: "no active subscription"
            case .subscriptionNotSynced(let id): "subscription \(id) not synced yet (tally-events lists it on its next run)"
            case .unmappedPlan(let ids): "no plan mapping for \(ids.joined(separator: ", ")) (add it under PLANS or set tally_tokens metadata on the product)"
            }
        }
    }
}
