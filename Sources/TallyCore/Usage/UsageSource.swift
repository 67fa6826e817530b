import Foundation

/// Reads the app's own usage records through the configured usage query.
public protocol UsageSource: Sendable {
    /// Usage per Stripe customer (or team without one) and UTC day, over `[start, end)`, aggregated by the
    /// database in one query. Rows that cannot be billed (`UsageProblem`: no team, tokens negative, not whole
    /// or over 15 digits, timestamps in the future of `now`) are not summed; they are counted, with the
    /// first ids of each kind, in `UsageAggregate.badRows`. `includingUnreadable` also counts the rows whose
    /// `created_at` cannot be read (they belong to no range, so one call per run asks for them).
    func dailyUsage(from start: Date, to end: Date, now: Date, includingUnreadable: Bool) async throws -> UsageAggregate

    /// The individual usage rows in `[start, end)`, oldest first, for drill-down and re-sending.
    /// `customer` limits them to one Stripe customer.
    func usageRows(from start: Date, to end: Date, customer: String?) async throws -> [UsageRow]

    /// The usage rows of `customers` in `[start, end)`, oldest first: one pass over the app's table for
    /// many customers, so pinning the gaps of many discrepant customers does not read the table once each.
    func usageRows(from start: Date, to end: Date, customers: [String]) async throws -> [UsageRow]

    /// Throws a `USAGE_QUERY` configuration error naming the column when the query returns no number where
    /// one belongs.
    func checkUsageColumns() async throws
}

extension UsageSource {
    /// Checks that the usage query returns numbers where numbers belong (`tokens`, `created_at`,
    /// `reported_at`), so a query returning text times fails loudly instead of matching no rows. Stores
    /// over a database implement it; a fake has nothing to check.
    public func checkUsageColumns() async throws {}

    /// `dailyUsage` without the rows whose time cannot be read.
    public func dailyUsage(from start: Date, to end: Date, now: Date) async throws -> UsageAggregate {
        try await dailyUsage(from: start, to: end, now: now, includingUnreadable: false)
    }
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
    /// Why the row cannot be billed, when it cannot (`tokens` is then 0 and never sent).
    public var problem: UsageProblem?

    public init(id: String, teamID: String?, stripeCustomerID: String?, userID: String?, action: String?, tokens: Int64, createdAt: Date, meterEventIdentifier: String?, reportedAt: Date?, problem: UsageProblem? = nil) {
        self.id = id
        self.teamID = teamID
        self.stripeCustomerID = stripeCustomerID
        self.userID = userID
        self.action = action
        self.tokens = tokens
        self.createdAt = createdAt
        self.meterEventIdentifier = meterEventIdentifier
        self.reportedAt = reportedAt
        self.problem = problem
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
    /// Distinct UTC hours with usage (a pre-aggregated hourly `count` meter counts these); the usage
    /// query always fills it, `nil` only in days built by hand.
    public var activeHours: Int64?

    public init(stripeCustomerID: String?, teamID: String, day: Date, tokens: Int64, rows: Int64, reportedTokens: Int64, lastEventAt: Date, lastTokens: Int64, activeHours: Int64? = nil) {
        self.stripeCustomerID = stripeCustomerID
        self.teamID = teamID
        self.day = day
        self.tokens = tokens
        self.rows = rows
        self.reportedTokens = reportedTokens
        self.lastEventAt = lastEventAt
        self.lastTokens = lastTokens
        self.activeHours = activeHours
    }
}

/// Counts of usage rows skipped because they cannot be billed, and the ids of the first of them.
public struct BadUsageRows: Sendable, Equatable {
    public var missingTeam: Int64
    public var negativeTokens: Int64
    public var futureTimestamp: Int64
    public var notWholeNumber: Int64
    public var tooLarge: Int64
    public var unreadableTimestamp: Int64
    public var totalOverflow: Int64
    public var duplicateID: Int64
    /// Ids of bad rows by problem (at most `listedPerProblem` each), for the reports.
    public var examples: [UsageProblem: [String]]

    /// Row ids listed per problem in reports; the counts stay exact beyond it.
    public static let listedPerProblem = 200

    public init(missingTeam: Int64 = 0, negativeTokens: Int64 = 0, futureTimestamp: Int64 = 0, notWholeNumber: Int64 = 0,
                tooLarge: Int64 = 0, unreadableTimestamp: Int64 = 0, totalOverflow: Int64 = 0, duplicateID: Int64 = 0,
                examples: [UsageProblem: [String]] = [:]) {
        self.missingTeam = missingTeam
        self.negativeTokens = negativeTokens
        self.futureTimestamp = futureTimestamp
        self.notWholeNumber = notWholeNumber
        self.tooLarge = tooLarge
        self.unreadableTimestamp = unreadableTimestamp
        self.totalOverflow = totalOverflow
        self.duplicateID = duplicateID
        self.examples = examples
    }

    public var total: Int64 { UsageProblem.allCases.reduce(0) { $0 + self[$1] } }

    /// The count of one problem.
    public subscript(problem: UsageProblem) -> Int64 {
        get {
            switch problem {
            case .missingTeam: missingTeam
            case .negativeTokens: negativeTokens
            case .futureTimestamp: futureTimestamp
            case .notWholeNumber: notWholeNumber
            case .tooLarge: tooLarge
            case .unreadableTimestamp: unreadableTimestamp
            case .totalOverflow: totalOverflow
            case .duplicateID: duplicateID
            }
        }
        set {
            switch problem {
            case .missingTeam: missingTeam = newValue
            case .negativeTokens: negativeTokens = newValue
            case .futureTimestamp: futureTimestamp = newValue
            case .notWholeNumber: notWholeNumber = newValue
            case .tooLarge: tooLarge = newValue
            case .unreadableTimestamp: unreadableTimestamp = newValue
            case .totalOverflow: totalOverflow = newValue
            case .duplicateID: duplicateID = newValue
            }
        }
    }

    /// Adds `other`'s counts and examples.
    public mutating func add(_ other: BadUsageRows) {
        for problem in UsageProblem.allCases {
            self[problem] += other[problem]
            let ids = (examples[problem] ?? []) + (other.examples[problem] ?? [])
            if !ids.isEmpty { examples[problem] = Array(ids.prefix(Self.listedPerProblem)) }
        }
    }
}
