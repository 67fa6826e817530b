import Foundation

/// One row of `UsageSQL.dailyUsage`: a customer's day, or a group of bad rows.
struct UsageGroup: Sendable {
    var problem: Int64
    var customer: String?
    var team: String?
    var day: Int64?
    var tokensHigh: Int64?
    var tokensLow: Int64?
    var rows: Int64
    var reportedHigh: Int64?
    var reportedLow: Int64?
    var lastEventAt: Int64?
    var lastTokens: Int64?
    var activeHours: Int64

    /// `high * UsageSQL.split + low`, or nil when it does not fit in 64 bits.
    static func total(high: Int64?, low: Int64?) -> Int64? {
        let (scaled, overflowScaling) = (high ?? 0).multipliedReportingOverflow(by: UsageSQL.split)
        let (sum, overflowAdding) = scaled.addingReportingOverflow(low ?? 0)
        return overflowScaling || overflowAdding ? nil : sum
    }
}

extension UsageAggregate {
    /// Billable groups become days; the others are counted by their problem, as is a day whose total does
    /// not fit in 64 bits (reported, never wrapped).
    init(groups: [UsageGroup], examples: [(UsageProblem, String)]) {
        var days: [DailyUsage] = []
        var bad = BadUsageRows()
        for group in groups {
            guard group.problem == 0, let day = group.day, let lastEventAt = group.lastEventAt else {
                bad[UsageProblem(rawValue: group.problem) ?? .unreadableTimestamp] += group.rows
                continue
            }
            guard let tokens = UsageGroup.total(high: group.tokensHigh, low: group.tokensLow),
                  let reported = UsageGroup.total(high: group.reportedHigh, low: group.reportedLow) else {
                bad.totalOverflow += group.rows
                bad.examples[.totalOverflow, default: []].append("\(group.customer ?? group.team ?? "") \(UTCCalendarText.instant(StoredTime.date(day)))")
                continue
            }
            days.append(DailyUsage(
                stripeCustomerID: group.customer, teamID: group.team ?? "", day: StoredTime.date(day),
                tokens: tokens, rows: group.rows, reportedTokens: reported,
                lastEventAt: StoredTime.date(lastEventAt), lastTokens: group.lastTokens ?? 0, activeHours: group.activeHours
            ))
        }
        for (problem, id) in examples where (bad.examples[problem]?.count ?? 0) < BadUsageRows.listedPerProblem {
            // A duplicated id comes back once per copy: it is listed once.
            if bad.examples[problem]?.last != id { bad.examples[problem, default: []].append(id) }
        }
        self.init(days: days, badRows: bad)
    }
}
