import Foundation

/// Reads the app's own usage records through the configured usage query.
public protocol UsageSource: Sendable {
    /// Usage per Stripe customer (or team without one) and UTC day, over `[start, end)`, aggregated by the
    /// database in one query. Rows that cannot be billed (no team, negative tokens, timestamps in the future
    /// of `now`) are not summed; they are counted in `UsageAggregate.badRows`.
    func dailyUsage(from start: Date, to end: Date, now: Date) async throws -> UsageAggregate

    /// The individual usage rows in `[start, end)`, oldest first, for drill-down and re-sending.
    /// `customer` limits them to one Stripe customer.
    func usageRows(from start: Date, to end: Date, customer: String?) async throws -> [UsageRow]
}

/// One usage row of the app, as the usage query returns it.
public struct UsageRow: Sendable, Equatable {
    /// The app's row id as text (integer and uuid ids alike).
    public var id: String
    public var teamID: String?
    public var stripeCustomerID: String?
    public var userID: String?
    public var action: String?
    public var tokens: Int64
    public var createdAt: Date
    /// The meter-event identifier the app sent, when it records one.
    public var meterEventIdentifier: String?
    /// When Stripe acknowledged the event, when the app records that.
    public var reportedAt: Date?

    public init(id: String, teamID: String?, stripeCustomerID: String?, userID: String?, action: String?, tokens: Int64, createdAt: Date, meterEventIdentifier: String?, reportedAt: Date?) {
        self.id = id
        self.teamID = teamID
        self.stripeCustomerID = stripeCustomerID
        self.userID = userID
        self.action = action
        self.tokens = tokens
        self.createdAt = createdAt
        self.meterEventIdentifier = meterEventIdentifier
        self.reportedAt = reportedAt
    }
}

/// Usage summed per customer and UTC day, plus what could not be summed.
public struct UsageAggregate: Sendable, Equatable {
    public var days: [DailyUsage]
    public var badRows: BadUsageRows

    public init(days: [DailyUsage], badRows: BadUsageRows) {
        self.days = days
        self.badRows = badRows
    }
}

/// One customer's usage on one UTC day.
public struct DailyUsage: Sendable, Equatable, Hashable {
    public var stripeCustomerID: String?
    public var teamID: String
    /// 00:00 UTC of the day.
    public var day: Date
    public var tokens: Int64
    public var rows: Int64
    /// Rows the app marked as acknowledged by Stripe.
    public var reportedTokens: Int64
    /// The latest `created_at` of the day, which `last` meters need.
    public var lastEventAt: Date
    /// Tokens of the row with the latest `created_at` (for `last` meters).
    public var lastTokens: Int64

    public init(stripeCustomerID: String?, teamID: String, day: Date, tokens: Int64, rows: Int64, reportedTokens: Int64, lastEventAt: Date, lastTokens: Int64) {
        self.stripeCustomerID = stripeCustomerID
        self.teamID = teamID
        self.day = day
        self.tokens = tokens
        self.rows = rows
        self.reportedTokens = reportedTokens
        self.lastEventAt = lastEventAt
        self.lastTokens = lastTokens
    }
}

/// Counts of usage rows skipped because they cannot be billed.
public struct BadUsageRows: Sendable, Equatable {
    public var missingTeam: Int64
    public var negativeTokens: Int64
    public var futureTimestamp: Int64

    public init(missingTeam: Int64 = 0, negativeTokens: Int64 = 0, futureTimestamp: Int64 = 0) {
        self.missingTeam = missingTeam
        self.negativeTokens = negativeTokens
        self.futureTimestamp = futureTimestamp
    }

    public var total: Int64 { missingTeam + negativeTokens + futureTimestamp }
}
