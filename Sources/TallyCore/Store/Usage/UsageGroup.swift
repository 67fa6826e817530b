import Foundation

/// One row of `UsageSQL.dailyUsage`: a customer's day, or a group of bad rows.
struct UsageGroup: Sendable {
    var problem: Int64
    var customer: String?
    var team: String?
    var day: Int64
    var tokens: Int64?
    var rows: Int64
    var reportedTokens: Int64?
    var lastEventAt: Int64
    var lastTokens: Int64?
}

extension UsageAggregate {
    /// Billable groups become days; the others are counted by their problem.
    init(groups: [UsageGroup]) {
        var days: [DailyUsage] = []
        var bad = BadUsageRows()
        for group in groups {
            switch group.problem {
            case 1: bad.missingTeam += group.rows
            case 2: bad.negativeTokens += group.rows
            case 3: bad.futureTimestamp += group.rows
            default:
                days.append(DailyUsage(
                    stripeCustomerID: group.customer, teamID: group.team ?? "", day: StoredTime.date(group.day),
                    tokens: group.tokens ?? 0, rows: group.rows, reportedTokens: group.reportedTokens ?? 0,
                    lastEventAt: StoredTime.date(group.lastEventAt), lastTokens: group.lastTokens ?? 0
                ))
            }
        }
        self.init(days: days, badRows: bad)
    }
}
