import Foundation

/// A Stripe product (a plan name in the app).
public struct Product: Decodable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var active: Bool?
    public var description: String?
    public var defaultPrice: String?
    public var unitLabel: String?
    public var created: Date?
    public var metadata: [String: String]?
    public var livemode: Bool?
}
