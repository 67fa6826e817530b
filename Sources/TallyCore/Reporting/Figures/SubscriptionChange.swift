import Foundation

/// A subscription started, changed or cancelled (churned) in the period.
public struct SubscriptionChange: Sendable, Equatable {
    /// What happened.
    public enum Kind: String, Sendable, Equatable {
        case started
        case changed
        case cancelled
    }

    public var kind: Kind
    public var at: Date
    public var subscriptionID: String
    public var customerID: String?
    public var status: String
    /// The subscription's licensed items per month, per currency.
    public var monthlyAmounts: [String: Int64]

    /// Changes in `data.period`: starts and cancellations from the subscriptions' own dates, plan or
    /// quantity changes from `customer.subscription.updated` events (a renewal alone is not a change).
    public static func changes(in data: ReportingData) -> [SubscriptionChange] {
        var changes: [SubscriptionChange] = []
        let byID = Dictionary(data.subscriptions.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for subscription in data.subscriptions {
            let amounts = MonthlyRecurringRevenue.monthlyAmounts(of: subscription)
            if let started = subscription.startDate ?? subscription.created, data.period.contains(started) {
                changes.append(SubscriptionChange(kind: .started, at: started, subscriptionID: subscription.id,
                                                  customerID: subscription.customer, status: subscription.status,
                                                  monthlyAmounts: amounts))
            }
            if let ended = subscription.canceledAt ?? subscription.endedAt, data.period.contains(ended) {
                changes.append(SubscriptionChange(kind: .cancelled, at: ended, subscriptionID: subscription.id,
                                                  customerID: subscription.customer, status: subscription.status,
                                                  monthlyAmounts: amounts))
            }
        }
        for event in data.events where event.type == "customer.subscription.updated" && data.period.contains(event.created) {
            guard isPlanChange(event), let id = event.objectID else { continue }
            let subscription = byID[id] ?? (try? event.subscription())
            changes.append(SubscriptionChange(
                kind: .changed, at: event.created, subscriptionID: id, customerID: subscription?.customer,
                status: subscription?.status ?? "", monthlyAmounts: subscription.map(MonthlyRecurringRevenue.monthlyAmounts) ?? [:]))
        }
        return changes.sorted { ($0.at, $0.subscriptionID, $0.kind.rawValue) < ($1.at, $1.subscriptionID, $1.kind.rawValue) }
    }

    /// Attributes whose change is a real change of what the customer buys, unlike a period rolling over.
    static let planAttributes: Set<String> = [
        "plan", "quantity", "status", "cancel_at_period_end", "cancel_at", "discounts", "collection_method",
    ]

    static func isPlanChange(_ event: StripeEvent) -> Bool {
        guard case .object(let previous)? = event.data.previousAttributes else { return false }
        if !planAttributes.isDisjoint(with: previous.keys) { return true }
        // `items` also changes when periods roll (Stripe then lists the items with their old periods); only
        // a different price or quantity is a change of plan.
        guard let previousItems = previous["items"] else { return false }
        return itemKeys(previousItems) != itemKeys(event.data.object["items"] ?? .null)
    }

    /// The `price.id x quantity` pairs of an `items` list, sorted.
    static func itemKeys(_ items: RawJSON) -> [String] {
        guard case .array(let data)? = items["data"] else { return [] }
        return data.map { item -> String in
            let price = item["price"]?["id"]?.stringValue ?? item["price"]?.stringValue ?? ""
            var quantity = ""
            if case .number(let value)? = item["quantity"] { quantity = String(Int64(value)) }
            return "\(price)x\(quantity)"
        }.sorted()
    }
}
