import Foundation

/// Works out each team's allowance and billing period from its synced subscription items (`subscription_items`,
/// kept by `tally-events`): the items of the team's customer whose period contains `now` are summed; the
/// period is theirs. Ids missing from `PLANS` fall back to the Stripe product's `tally_tokens` (or `tokens`)
/// metadata; a team whose items map to nothing is reported, never guessed.
public struct TeamAllowanceResolver: Sendable {
    public var catalog: PlanCatalog
    /// Product metadata fetched from Stripe for ids the catalog lacks, by product id.
    public var productMetadata: [String: [String: String]]

    public init(catalog: PlanCatalog, productMetadata: [String: [String: String]] = [:]) {
        self.catalog = catalog
        self.productMetadata = productMetadata
    }

    /// The product ids whose metadata would be needed because neither their price nor the product is mapped.
    public func unmappedProducts(in items: [SubscriptionItemRecord]) -> Set<String> {
        Set(items.compactMap { item in
            guard let product = item.productID, mapped(item) == nil else { return nil }
            return product
        })
    }

    /// Every synced item grouped by customer, so each team's lookup is a dictionary access.
    public static func itemsByCustomer(_ items: [SubscriptionItemRecord]) -> [String: [SubscriptionItemRecord]] {
        Dictionary(grouping: items.filter { $0.customerID != nil }, by: { $0.customerID ?? "" })
    }

    /// The allowance of a team whose Stripe customer is `customer`, given the synced items (all, or the customer's).
    public func allowance(teamID: String, customer: String?, items: [SubscriptionItemRecord], now: Date) -> TeamAllowance {
        guard let customer, !customer.isEmpty else { return .skipped(reason: .noStripeCustomer) }
        let current = items.filter { item in
            guard item.customerID == customer, let start = item.currentPeriodStart, let end = item.currentPeriodEnd else { return false }
            return start <= now && now < end
        }
        guard !current.isEmpty else { return .skipped(reason: .noActiveSubscription) }
        var tokens: Int64 = 0
        var features: [String] = []
        var unmapped: [String] = []
        let licensedProducts = Set(current.filter { !$0.isMetered }.compactMap(\.productID))
        for item in current {
            // A product's allowance comes with its seats: the same product's metered price (seat fee plus
            // usage, the usual shape) adds nothing of its own unless that price is mapped explicitly.
            if item.isMetered, item.priceID.flatMap(catalog.allowance(for:)) == nil,
               let product = item.productID, licensedProducts.contains(product) {
                continue
            }
            if let plan = mapped(item) ?? metadataAllowance(item) {
                // A licensed price's allowance is per seat; a metered item counts once.
                let seats = item.isMetered ? 1 : max(item.quantity ?? 1, 1)
                tokens += plan.tokens * seats
                features.append(contentsOf: plan.features.filter { !features.contains($0) })
            } else if !item.isMetered {
                unmapped.append(item.priceID ?? item.productID ?? item.stripeSubscriptionItemID)
            }
        }
        // A metered price on its own usually carries no allowance; only when nothing maps is the team unmapped.
        if tokens == 0 && features.isEmpty {
            let ids = unmapped.isEmpty ? current.map { $0.priceID ?? $0.productID ?? $0.stripeSubscriptionItemID } : unmapped
            return .skipped(reason: .unmappedPlan(ids: ids.sorted()))
        }
        // Items of one subscription share its period; if a team has several, the earliest-ending one governs.
        let period = current.min { ($0.currentPeriodEnd!, $0.currentPeriodStart!) < ($1.currentPeriodEnd!, $1.currentPeriodStart!) }!
        return .allowed(tokens: tokens, features: features,
                        period: TeamBillingPeriod(teamID: teamID, start: period.currentPeriodStart!, end: period.currentPeriodEnd!))
    }

    private func mapped(_ item: SubscriptionItemRecord) -> PlanAllowance? {
        item.priceID.flatMap(catalog.allowance(for:)) ?? item.productID.flatMap(catalog.allowance(for:))
    }

    private func metadataAllowance(_ item: SubscriptionItemRecord) -> PlanAllowance? {
        guard let product = item.productID, let metadata = productMetadata[product],
              let text = metadata["tally_tokens"] ?? metadata["tokens"],
              let tokens = Int64(text.trimmingCharacters(in: .whitespaces)), tokens >= 0 else { return nil }
        let features = metadata["tally_features"]?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } ?? []
        return PlanAllowance(tokens: tokens, features: features)
    }
}
