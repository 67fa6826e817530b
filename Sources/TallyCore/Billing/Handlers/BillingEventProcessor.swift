import Foundation
import Logging

/// Acts on one stored Stripe event (issue 15): dispatches by type to a small handler that works out the
/// change from the payload, applies it once per event id and never over newer state, and sends the emails it
/// calls for once per event. Both arrival paths meet here: events `tally-events` caught up from Stripe, and
/// events the app's webhook endpoint inserted into `stripe_events` / `stripe_event_queue` (docs/webhooks.md).
///
/// A payload that does not decode throws `StripeEventPayloadInvalid`, which the queue retries and then
/// dead-letters; an unknown type is recorded and skipped; a failed email throws, so the queue retries the
/// event and only the emails not yet sent go out.
public struct BillingEventProcessor: Sendable {
    public typealias Store = BillingEventStore & SubscriptionItemSource

    public var store: any Store
    public var mailer: any Mailer
    public var templates: BillingEmailTemplates
    public var plans: PlanCatalog
    /// Reads a product's `tally_features`/`tally_tokens` metadata when `PLANS` does not map it; nil: PLANS only.
    public var stripe: (any StripeAPI)?
    /// Each product's metadata, fetched once per run however many events name it.
    let products = ProductMetadataCache()
    public var from: EmailAddress
    public var clock: any TallyClock
    public var logger: Logger

    public init(store: any Store, mailer: any Mailer, templates: BillingEmailTemplates, plans: PlanCatalog,
                stripe: (any StripeAPI)? = nil, from: EmailAddress, clock: any TallyClock, logger: Logger) {
        self.store = store
        self.mailer = mailer
        self.templates = templates
        self.plans = plans
        self.stripe = stripe
        self.from = from
        self.clock = clock
        self.logger = logger
    }

    /// Every event type the processor acts on.
    public static let handledTypes: Set<String> = InvoiceEventHandler.types.union(SubscriptionEventHandler.types)
        .union(CustomerEventHandler.types).union(PaymentMethodEventHandler.types)

    /// Processes `event`; safe to call again for the same event (a redelivery, a retry after a failure).
    public func process(_ event: StripeEventRecord) async throws -> BillingEventOutcome {
        let now = clock.now()
        guard Self.handledTypes.contains(event.eventType) else {
            _ = try await store.applyBillingChange(BillingChange(
                eventID: event.eventID, eventType: event.eventType, eventCreated: event.created, customerID: nil,
                outcome: "skipped: Tally does not act on this type", appliedAt: now))
            return BillingEventOutcome(effect: .skippedUnknownType)
        }
        let stripeEvent = try BillingEventDecoding.event(event)
        var detached: PaymentMethod?
        let plan: BillingEventPlan
        var teams: [BillingTeam] = []
        switch event.eventType {
        case let type where InvoiceEventHandler.types.contains(type):
            let invoice = try BillingEventDecoding.object(InvoiceEventObject.self, of: stripeEvent, event, named: "an invoice")
            teams = try await teamsOf(invoice.customer)
            var metered = Set<String>()
            if let subscription = invoice.subscriptionID {
                metered = Set(try await store.subscriptionItems(subscriptionID: subscription).filter(\.isMetered).compactMap(\.priceID))
            }
            plan = try InvoiceEventHandler.plan(event, invoice: invoice, teams: teams, meteredPrices: metered, now: now)
        case let type where SubscriptionEventHandler.types.contains(type):
            let subscription = try BillingEventDecoding.object(Subscription.self, of: stripeEvent, event, named: "a subscription")
            teams = try await teamsOf(subscription.customer)
            plan = SubscriptionEventHandler.plan(event, subscription: subscription, teams: teams, plans: plans,
                                                 // No team on this customer: no access row to give features to.
                                                 productMetadata: teams.isEmpty ? [:] : try await productMetadata(of: subscription),
                                                 now: now)
        case let type where CustomerEventHandler.types.contains(type):
            let customer = try BillingEventDecoding.object(CustomerBillingDetails.self, of: stripeEvent, event, named: "a customer")
            plan = CustomerEventHandler.plan(event, customer: customer, now: now)
        default:
            let method = try BillingEventDecoding.object(PaymentMethod.self, of: stripeEvent, event, named: "a payment method")
            let customer = PaymentMethodEventHandler.customer(of: method, event: stripeEvent)
            teams = try await teamsOf(customer)
            if event.eventType == "payment_method.detached" { detached = method }
            plan = PaymentMethodEventHandler.plan(event, method: method, customerID: customer, now: now)
        }

        let result = try await store.applyBillingChange(plan.change)
        // An older event than what is stored sends nothing: its news is out of date.
        if result.stale { return BillingEventOutcome(effect: .stale) }
        var notices = plan.notices
        if let detached, let customer = plan.change.customerID {
            notices += PaymentMethodEventHandler.notices(detached: detached, state: try await store.paymentMethodState(customerID: customer),
                                                         teams: teams)
        }
        var outcome = try await send(notices, for: event, now: now)
        outcome.effect = result.firstTime ? .applied : .alreadyApplied
        return outcome
    }

    /// The metadata of the subscription's products `PLANS` does not map (a failed look-up fails the event, which
    /// the queue retries: an allowance is never guessed).
    private func productMetadata(of subscription: Subscription) async throws -> [String: [String: String]] {
        guard let stripe else { return [:] }
        return try await products.metadata(of: SubscriptionEventHandler.unmappedProducts(subscription, plans: plans), stripe: stripe)
    }

    private func teamsOf(_ customer: String?) async throws -> [BillingTeam] {
        guard let customer, !customer.isEmpty else { return [] }
        return try await store.billingTeams(customerID: customer)
    }
}
