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

/// A metered price per token, in the price's currency's minor unit.
public struct MeteredUnitPrice: Sendable, Equatable {
    public var priceID: String
    public var currency: String
    /// Minor units per token, exact (Stripe's `unit_amount_decimal` allows fractions of a cent).
    public var minorUnitsPerToken: Decimal

    /// `tokens x price`, rounded half up to the minor unit.
    public func cost(of tokens: Int64) -> Int64 {
        var exact = Decimal(tokens) * minorUnitsPerToken
        var rounded = Decimal()
        NSDecimalRound(&rounded, &exact, 0, .plain)
        return NSDecimalNumber(decimal: rounded).int64Value
    }

    /// The metered price of each customer's active (else most recent) subscription.
    public static func byCustomer(_ subscriptions: [Subscription]) -> [String: MeteredUnitPrice] {
        var prices: [String: MeteredUnitPrice] = [:]
        let ordered = subscriptions.sorted { lhs, rhs in
            // Later entries win: canceled before live ones, older before newer.
            let rank = { (subscription: Subscription) in subscription.status == "canceled" ? 0 : 1 }
            return (rank(lhs), lhs.created ?? .distantPast) < (rank(rhs), rhs.created ?? .distantPast)
        }
        for subscription in ordered {
            guard let customer = subscription.customer else { continue }
            for item in subscription.items?.data ?? [] {
                guard let price = item.price, price.isMetered else { continue }
                let perToken = price.unitAmountDecimal.flatMap { Decimal(string: $0) }
                    ?? price.unitAmount.map { Decimal($0) }
                if let perToken {
                    prices[customer] = MeteredUnitPrice(priceID: price.id, currency: price.currency.lowercased(),
                                                        minorUnitsPerToken: perToken)
                }
            }
        }
        return prices
    }
}
