import Foundation

/// `customer.subscription.created|updated|deleted|trial_will_end`: the team's status, features and
/// allowance (the items themselves stay `SubscriptionSync`'s), and the trial warning.
enum SubscriptionEventHandler {
    static let types: Set<String> = [
        "customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted",
        "customer.subscription.trial_will_end",
    ]

    static func plan(_ record: StripeEventRecord, subscription: Subscription, teams: [BillingTeam], plans: PlanCatalog,
                     productMetadata: [String: [String: String]] = [:], now: Date) -> BillingEventPlan {
        // A deleted subscription is canceled whatever status the payload still shows: it deprovisions.
        let status = record.eventType == "customer.subscription.deleted" ? "canceled" : subscription.status
        let entitlement = entitlement(subscription, plans: plans, productMetadata: productMetadata, at: record.created)
        var change = BillingChange(eventID: record.eventID, eventType: record.eventType, eventCreated: record.created,
                                   customerID: subscription.customer, teamIDs: teams.map(\.teamID), appliedAt: now)
        change.access = AccessChange(status: status, subscriptionID: subscription.id,
                                     features: TeamAccessRules.finalStatuses.contains(status) ? [] : entitlement.features,
                                     allowance: entitlement.tokens, fromInvoice: false)
        guard record.eventType == "customer.subscription.trial_will_end" else { return BillingEventPlan(change: change) }
        return BillingEventPlan(change: change, notices: teams.map { team in
            BillingNotice(kind: .trialEnding, team: team, values: [
                "team": team.name, "team_id": team.teamID, "trial_end": BillingText.day(subscription.trialEnd),
            ])
        })
    }

    /// Features and tokens from `PLANS`, else the product's `tally_features` and `tally_tokens` metadata, for the
    /// items the payload lists (the same resolver `tally-alerts` uses).
    static func entitlement(_ subscription: Subscription, plans: PlanCatalog, productMetadata: [String: [String: String]] = [:],
                            at stamp: Date) -> (features: [String], tokens: Int64?) {
        let items = items(of: subscription)
        // The period that contains the event (or the earliest one, for an event stamped before its start).
        let start = items.compactMap(\.currentPeriodStart).min()
        let at = max(stamp, start ?? stamp)
        let resolved = TeamAllowanceResolver(catalog: plans, productMetadata: productMetadata)
            .allowance(teamID: "", customer: subscription.customer, items: items, now: at)
        if case .allowed(let tokens, let features, _) = resolved { return (features, tokens) }
        return ([], nil)
    }

    /// The products of `subscription` that `PLANS` does not map, whose metadata the entitlement needs.
    static func unmappedProducts(_ subscription: Subscription, plans: PlanCatalog) -> Set<String> {
        TeamAllowanceResolver(catalog: plans).unmappedProducts(in: items(of: subscription))
    }

    /// The payload's items as the synced records the resolver reads.
    static func items(of subscription: Subscription) -> [SubscriptionItemRecord] {
        (subscription.items?.data ?? []).map { item in
            SubscriptionItemRecord(
                stripeSubscriptionItemID: item.id, subscriptionID: subscription.id, customerID: subscription.customer,
                productID: item.price?.product, priceID: item.price?.id, quantity: item.quantity,
                isMetered: item.price?.recurring?.usageType == "metered",
                currentPeriodStart: item.currentPeriodStart, currentPeriodEnd: item.currentPeriodEnd)
        }
    }
}
