import Foundation

/// What `tally-report` reads from the database besides usage: the app's team names, the latest
/// reconciliation discrepancies and Tally's own API call log.
public protocol ReportingSource: TeamDirectory {
    /// The discrepancies of the most recent reconciliation run, or an empty list when none ran yet.
    func latestDiscrepancies() async throws -> [DiscrepancyRecord]
    /// The Stripe calls logged in `[start, end)`, oldest first.
    func apiCalls(from start: Date, to end: Date) async throws -> [APICallRecord]
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
