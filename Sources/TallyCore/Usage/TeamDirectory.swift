/// The app's teams, which every feature names people and customers by.
public protocol TeamDirectory: Sendable {
    /// Every team of the app (`teams`: id, name, stripe_customer_id), ordered by id.
    func teams() async throws -> [TeamRecord]
}

/// A team of the app, as reports name it.
public struct TeamRecord: Sendable, Equatable, Hashable {
    /// The app's team id as text (integer and uuid ids alike).
    public var id: String
    public var name: String
    public var stripeCustomerID: String?

    public init(id: String, name: String, stripeCustomerID: String?) {
        self.id = id
        self.name = name
        self.stripeCustomerID = stripeCustomerID
    }
}
