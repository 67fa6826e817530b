import Foundation

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
