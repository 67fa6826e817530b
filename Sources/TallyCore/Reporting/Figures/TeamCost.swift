import Foundation

/// A team's usage cost so far in the period, projected to the whole period, and its trend against the
/// same number of days of the month before (6.1).
public struct TeamCost: Sendable, Equatable {
    public var teamID: String
    public var customerID: String?
    public var tokens: Int64
    /// The metered price's minor units per token, when the team has a metered subscription.
    public var unitPrice: MeteredUnitPrice?
    public var elapsedDays: Int
    public var periodDays: Int
    /// Tokens over the month before's first `elapsedDays` days.
    public var previousTokens: Int64

    /// Usage x unit price, rounded to the minor unit.
    public var costToDate: Int64? { unitPrice?.cost(of: tokens) }
    /// Cost to date / elapsed days x days in the period, rounded half up, in integers.
    public var projectedCost: Int64? {
        costToDate.map { cost in (cost * Int64(periodDays) * 2 + Int64(elapsedDays)) / (2 * Int64(elapsedDays)) }
    }
    /// The same-length stretch of last month at the same price.
    public var previousCost: Int64? { unitPrice?.cost(of: previousTokens) }
    /// Change against last month's same-length period, as a ratio (0.25 = +25 %); `nil` without a base.
    public var trend: Decimal? {
        guard let cost = costToDate, let previous = previousCost, previous != 0 else { return nil }
        let ratio = Decimal(cost - previous) / Decimal(previous)
        var rounded = Decimal()
        var value = ratio
        NSDecimalRound(&rounded, &value, 4, .plain)
        return rounded
    }

    /// One entry per team with usage in the period, ordered by team id.
    public static func costs(in data: ReportingData) -> [TeamCost] {
        let elapsed = data.period.elapsedDays(at: data.now)
        let previous = data.period.previousMonth
        let previousEnd = min(previous.end, previous.start.addingTimeInterval(Double(elapsed) * 86_400))
        let prices = MeteredUnitPrice.byCustomer(data.subscriptions)
        var tokens: [String: (customer: String?, tokens: Int64)] = [:]
        for day in data.usage {
            tokens[day.teamID, default: (day.stripeCustomerID, 0)].tokens += day.tokens
        }
        var previousTokens: [String: Int64] = [:]
        for day in data.previousUsage where day.day < previousEnd {
            previousTokens[day.teamID, default: 0] += day.tokens
        }
        return tokens.keys.sorted(by: TeamOrder.isBefore).map { team in
            let entry = tokens[team]!
            return TeamCost(teamID: team, customerID: entry.customer, tokens: entry.tokens,
                            unitPrice: entry.customer.flatMap { prices[$0] }, elapsedDays: elapsed,
                            periodDays: data.period.days, previousTokens: previousTokens[team] ?? 0)
        }
    }
}

/// Orders team ids numerically when both are numbers, as text otherwise.
enum TeamOrder {
    static func isBefore(_ lhs: String, _ rhs: String) -> Bool {
        if let left = Int64(lhs), let right = Int64(rhs) { return left < right }
        return lhs < rhs
    }
}
