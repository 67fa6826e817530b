import Foundation

/// One price on a subscription, with the billing period it is in.
public struct SubscriptionItem: Decodable, Sendable, Equatable {
    public var id: String
    public var subscription: String?
    public var price: Price?
    public var quantity: Int64?
    public var created: Date?
    public var currentPeriodStart: Date?
    public var currentPeriodEnd: Date?
    public var metadata: [String: String]?
}
