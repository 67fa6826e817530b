import Foundation

/// A Stripe subscription with its items (periods live on the items since API 2025-03-31.basil).
public struct Subscription: Decodable, Sendable, Equatable {
    public var id: String
    public var customer: String?
    /// `active`, `past_due`, `canceled`, `trialing`, …
    public var status: String
    public var currency: String?
    public var created: Date?
    public var startDate: Date?
    public var cancelAt: Date?
    public var canceledAt: Date?
    public var cancelAtPeriodEnd: Bool?
    public var endedAt: Date?
    public var trialStart: Date?
    public var trialEnd: Date?
    public var collectionMethod: String?
    public var latestInvoice: String?
    public var items: StripeList<SubscriptionItem>?
    public var metadata: [String: String]?
    public var livemode: Bool?
}

