import Foundation

/// A Stripe customer: the fields Tally reports and matches teams by.
public struct Customer: Decodable, Sendable, Equatable {
    public var id: String
    public var name: String?
    public var email: String?
    public var currency: String?
    public var created: Date?
    public var delinquent: Bool?
    /// Minor units; negative is credit.
    public var balance: Int64?
    public var metadata: [String: String]?
    public var livemode: Bool?
}
