import Foundation

extension SubscriptionSync {
    /// Event types that change `subscription_items`; every other caught-up type is kept for the audit trail.
    static let syncedTypes: Set<String> = [
        "customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted",
    ]

    /// The sync `record` asks for, or nil when Tally only records events of its type.
    static func forEvent(_ record: StripeEventRecord, stripe: any StripeAPI) async throws -> SubscriptionSync? {
        guard syncedTypes.contains(record.eventType) else { return nil }
        let invalid = { (problem: String) in
            StripeEventPayloadInvalid(eventID: record.eventID, eventType: record.eventType, problem: problem)
        }
        let event: StripeEvent
        let subscription: Subscription
        do {
            event = try StripeDecoding.decoder().decode(StripeEvent.self, from: Data(record.payload.utf8))
        } catch {
            throw invalid("the payload is not a Stripe event (\(DecodingProblem.describe(error)))")
        }
        do {
            subscription = try event.subscription()
        } catch {
            throw invalid("data.object is not a subscription (\(DecodingProblem.describe(error)))")
        }
        if record.eventType == "customer.subscription.deleted" {
            return SubscriptionSync(subscriptionID: subscription.id, eventID: record.eventID, eventCreated: record.created,
                                    change: .ended, customerID: subscription.customer)
        }
        guard subscription.items != nil else { throw invalid("the subscription has no items list") }
        return try await forSubscription(subscription, stampedBy: record.eventID, at: record.created, stripe: stripe)
    }

    /// The state of `subscription` as Stripe showed it at `stamp` (an event's `created`, or the start of a
    /// listing): its items, or `ended` once it is canceled or expired before it ever started.
    ///
    /// A subscription lists at most some of its items inline (`items.has_more`); the rest are listed from
    /// Stripe, whose current state is never older than the event's.
    static func forSubscription(_ subscription: Subscription, stampedBy eventID: String, at stamp: Date,
                                stripe: any StripeAPI) async throws -> SubscriptionSync {
        var sync = SubscriptionSync(subscriptionID: subscription.id, eventID: eventID, eventCreated: stamp, change: .ended,
                                    customerID: subscription.customer)
        // Both statuses are final in Stripe: neither subscription bills again.
        if ["canceled", "incomplete_expired"].contains(subscription.status) { return sync }
        let items: [SubscriptionItem]
        if let listed = subscription.items, !listed.hasMore {
            items = listed.data
        } else {
            items = try await stripe.subscriptionItems(subscription: subscription.id)
        }
        sync.change = .items(items.map { item in
            SubscriptionItemRecord(
                stripeSubscriptionItemID: item.id, subscriptionID: subscription.id, customerID: subscription.customer,
                productID: item.price?.product, priceID: item.price?.id, quantity: item.quantity,
                isMetered: item.price?.recurring?.usageType == "metered",
                // Since API version 2025-03-31.basil the billing period lives on each item, not the subscription.
                currentPeriodStart: item.currentPeriodStart, currentPeriodEnd: item.currentPeriodEnd)
        })
        return sync
    }
}

/// A short, value-free account of why JSON did not decode: the path and what was wrong there.
enum DecodingProblem {
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context, _ last: (any CodingKey)? = nil) -> String {
            let keys = context.codingPath + (last.map { [$0] } ?? [])
            let text = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.isEmpty ? "the top level" : String(text.drop { $0 == "." })
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context, key)) is missing"
        case .valueNotFound(_, let context): return "\(path(context)) is null"
        case .typeMismatch(let type, let context): return "\(path(context)) is not \(type)"
        case .dataCorrupted(let context): return "\(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
