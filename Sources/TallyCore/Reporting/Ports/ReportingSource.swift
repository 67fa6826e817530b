import Foundation

/// What `tally-report` reads from the database besides usage: the app's team names, the latest
/// reconciliation discrepancies and Tally's own API call log.
public protocol ReportingSource: Sendable {
    /// Every team of the app (`teams`: id, name, stripe_customer_id), ordered by id.
    func teams() async throws -> [TeamRecord]
    /// The discrepancies of the most recent reconciliation run, or an empty list when none ran yet.
    func latestDiscrepancies() async throws -> [DiscrepancyRecord]
    /// The Stripe calls logged in `[start, end)`, oldest first.
    func apiCalls(from start: Date, to end: Date) async throws -> [APICallRecord]
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

/// One row of `tally_discrepancies`, with the time its reconciliation run was stored.
public struct DiscrepancyRecord: Sendable, Equatable {
    public var reconciledAt: Date
    public var customerID: String
    public var teamID: String?
    public var meterID: String
    public var windowStart: Date
    public var windowEnd: Date
    public var localTokens: Int64
    public var stripeTokens: Int64
    public var difference: Int64
    public var kind: String
    public var resolution: String?

    public init(reconciledAt: Date, customerID: String, teamID: String?, meterID: String, windowStart: Date,
                windowEnd: Date, localTokens: Int64, stripeTokens: Int64, difference: Int64, kind: String,
                resolution: String?) {
        self.reconciledAt = reconciledAt
        self.customerID = customerID
        self.teamID = teamID
        self.meterID = meterID
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.localTokens = localTokens
        self.stripeTokens = stripeTokens
        self.difference = difference
        self.kind = kind
        self.resolution = resolution
    }
}
