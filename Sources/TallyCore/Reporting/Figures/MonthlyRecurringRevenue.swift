import Foundation

/// Monthly recurring revenue: active licensed items' `unit_amount x quantity`, normalised to a month,
/// per currency, in integer minor units.
public enum MonthlyRecurringRevenue {
    /// MRR per currency (lower-case code) of the subscriptions active at `instant`.
    ///
    /// Items are taken as they are now: a quantity changed during the month counts at its current value.
    public static func at(_ instant: Date, subscriptions: [Subscription]) -> [String: Int64] {
        var totals: [String: Int64] = [:]
        for subscription in subscriptions where isActive(subscription, at: instant) {
            for (currency, amount) in monthlyAmounts(of: subscription) {
                totals[currency, default: 0] += amount
            }
        }
        return totals
    }

    /// The subscription's licensed items per month, per currency.
    public static func monthlyAmounts(of subscription: Subscription) -> [String: Int64] {
        var totals: [String: Int64] = [:]
        for item in subscription.items?.data ?? [] {
            guard let price = item.price, !price.isMetered, let unitAmount = price.unitAmount,
                  let recurring = price.recurring else { continue }
            let perPeriod = unitAmount * (item.quantity ?? 1)
            totals[price.currency.lowercased(), default: 0] += monthly(perPeriod, interval: recurring.interval,
                                                                       count: recurring.intervalCount ?? 1)
        }
        return totals
    }

    /// An amount billed every `count` `interval`s as a monthly amount, rounded down to the minor unit.
    static func monthly(_ amount: Int64, interval: String, count: Int) -> Int64 {
        let count = Int64(max(1, count))
        return switch interval {
        case "year": amount / (12 * count)
        case "week": amount * 52 / (12 * count)
        case "day": amount * 365 / (12 * count)
        default: amount / count
        }
    }

    /// Whether the subscription had started and not ended at `instant`.
    static func isActive(_ subscription: Subscription, at instant: Date) -> Bool {
        guard let started = subscription.startDate ?? subscription.created, started < instant else { return false }
        if ["incomplete", "incomplete_expired"].contains(subscription.status) { return false }
        if let ended = subscription.endedAt ?? (subscription.status == "canceled" ? subscription.canceledAt : nil) {
            return ended > instant
        }
        return true
    }
}
