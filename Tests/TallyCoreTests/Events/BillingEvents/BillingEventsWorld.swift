import Foundation
import Logging
import TallySandbox
import TallyTestKit
@testable import TallyCore

/// The simulator and a store (through `EventsHarness`), the app's tables with team 1 ("Acme", owner
/// ann@acme.test) on a simulator customer, and the billing processor writing its emails to the outbox.
struct BillingEventsWorld {
    let harness: EventsHarness
    /// The simulator's customer of team 1, on `subscription` (a seat price of `product`, mapped in PLANS to
    /// 1,000 tokens and the features basic and exports, plus a metered token price).
    let customer: String
    let subscription: String
    let product: String
    let tokensPrice: String
    /// The plan lives on the product's metadata (`tally_tokens` 5,000, `tally_features` basic and sso), not in PLANS.
    let planFromMetadata: Bool
    static func plans(_ product: String) -> PlanCatalog {
        PlanCatalog([product: PlanAllowance(tokens: 1_000, features: ["basic", "exports"])])
    }

    /// `owner: false` leaves team 1 without an owner; `paymentsFail` makes the customer's payments fail.
    static func run(on backend: StoreBackendUnderTest, owner: Bool = true, paymentsFail: Bool = false,
                    planFromMetadata: Bool = false, _ body: (BillingEventsWorld) async throws -> Void) async throws {
        try await EventsHarness.run(on: backend, prepare: { try await SampleAppDatabase.create(at: $0) }) { harness in
            let customer = harness.simulator.state.createCustomer(email: "billing@acme.test", name: "Acme Inc",
                                                                  metadata: paymentsFail ? ["sandbox_payment": "fail"] : [:])
            let product = harness.simulator.state.createProduct(
                name: "Pro", metadata: planFromMetadata ? ["tally_tokens": "5000", "tally_features": "basic, sso"] : [:])
            let meter = try harness.simulator.state.createMeter(displayName: "Tokens", eventName: "tokens")
            let seats = try harness.simulator.state.createPrice(product: product.id, unitAmount: 2_000, interval: "day")
            let tokens = try harness.simulator.state.createPrice(product: product.id, unitAmount: 3, interval: "day",
                                                                 usageType: .metered, meter: meter.id)
            let subscription = try harness.simulator.state.createSubscription(customer: customer.id, items: [(seats.id, 1), (tokens.id, nil)])
            try await SampleAppDatabase.insert(SampleApp(
                teams: [SampleTeam(id: 1, name: "Acme", stripeCustomerID: customer.id)],
                users: [SampleUser(id: 1, name: "Ann", email: "ann@acme.test"), SampleUser(id: 2, name: "Bob", email: "bob@acme.test")],
                members: owner ? [SampleMember(userID: 1, teamID: 1, role: "owner"), SampleMember(userID: 2, teamID: 1, role: "member")]
                    : [SampleMember(userID: 2, teamID: 1, role: "member")]), at: harness.location)
            try await body(BillingEventsWorld(harness: harness, customer: customer.id, subscription: subscription.id,
                                              product: product.id, tokensPrice: tokens.id, planFromMetadata: planFromMetadata))
        }
    }

    var store: any TallyStore { harness.store }

    /// The processor as the composition root would build it: the store, the outbox, the default templates,
    /// PLANS and MAIL_FROM.
    var processor: BillingEventProcessor {
        BillingEventProcessor(store: store, mailer: harness.configuration.makeMailer(), templates: try! BillingEmailTemplates(),
                              plans: planFromMetadata ? PlanCatalog([:]) : Self.plans(product), stripe: harness.client,
                              from: EmailAddress(name: "Tally", address: "tally@example.com"),
                              clock: harness.clock, logger: Logger(label: "tally.billing-test"))
    }

    /// The meter error reader, built the same way, emailing ALERT_EMAIL.
    var meterErrors: MeterErrorReportProcessor {
        MeterErrorReportProcessor(store: store, stripe: harness.client, mailer: harness.configuration.makeMailer(),
                                  templates: try! BillingEmailTemplates(), from: EmailAddress(name: "Tally", address: "tally@example.com"),
                                  recipients: harness.configuration.mail.alertRecipients.compactMap(EmailAddress.init(parsing:)),
                                  clock: harness.clock, logger: Logger(label: "tally.billing-test"))
    }

    /// What `tally-events` does with the catch-up wired to the processor: stores the new events from Stripe,
    /// then, for each due queue entry, syncs the items, acts on the event and completes the entry.
    @discardableResult
    func catchUp() async throws -> [String: BillingEventOutcome] {
        let fetched = try await harness.client.eventsWithPayloads(types: EventsJob.eventTypes, createdAfter: Date(timeIntervalSince1970: 0))
        _ = try await store.storeAndQueue(fetched.map(\.record))
        return try await drainQueue()
    }

    /// Processes every due queue entry once, as the catch-up's queue step does.
    @discardableResult
    func drainQueue() async throws -> [String: BillingEventOutcome] {
        var outcomes: [String: BillingEventOutcome] = [:]
        for due in try await store.dueStripeEvents(now: harness.clock.now(), after: nil, limit: 1_000) {
            let sync = try await SubscriptionSync.forEvent(due.event, stripe: harness.client)
            outcomes[due.event.eventID] = try await processor.process(due.event)
            _ = try await store.completeStripeEvent(due.event.eventID, applying: sync)
        }
        return outcomes
    }

    /// The app's webhook endpoint, as docs/webhooks.md tells it to store a verified event.
    func appInserts(_ event: AppEvent) async throws {
        try await SampleAppDatabase.execute([
            """
            INSERT INTO stripe_events (event_id, event_type, processed, created_at, payload)
            VALUES ('\(event.id)', '\(event.type)', FALSE, \(event.created), '\(event.payload.replacingOccurrences(of: "'", with: "''"))')
            ON CONFLICT (event_id) DO NOTHING
            """,
            """
            INSERT INTO stripe_event_queue (event_id, status, retry_count)
            VALUES ('\(event.id)', 'pending', 0)
            ON CONFLICT (event_id) DO NOTHING
            """,
        ], at: harness.location)
    }

    /// The emails in the outbox, parsed.
    func emails() throws -> [ParsedEmail] { try harness.sentAlerts() }

    func access() async throws -> TeamAccessRecord? { try await store.teamAccess(teamID: "1") }

    /// Runs one of the README's access queries (SQLite or PostgreSQL text) with `arguments`.
    func ask(_ query: AccessQuery, _ arguments: [any SQLBindable]) async throws -> SQLRow? {
        let sql = (store as! SQLStore).sql
        return try await sql.queryOne(SQLStatement(prepared: query.text(for: sql.backend), arguments: arguments))
    }
}

/// A Stripe event as the app's endpoint receives it.
struct AppEvent {
    var id: String
    var type: String
    var created: Int64
    var object: [String: Any]
    var previousAttributes: [String: Any]? = nil

    var payload: String {
        var data: [String: Any] = ["object": object]
        if let previousAttributes { data["previous_attributes"] = previousAttributes }
        let event: [String: Any] = ["id": id, "object": "event", "type": type, "created": created, "livemode": false,
                                    "api_version": "2026-07-29.dahlia", "data": data]
        return String(decoding: try! JSONSerialization.data(withJSONObject: event, options: [.sortedKeys]), as: UTF8.self)
    }

    static func invoice(_ id: String, _ type: String, at created: Int64, customer: String, subscription: String,
                        status: String, amount: Int64 = 2_000, paid: Int64 = 0) -> AppEvent {
        AppEvent(id: id, type: type, created: created, object: [
            "id": "in_fixed", "object": "invoice", "customer": customer, "currency": "usd", "status": status,
            "amount_due": amount, "amount_paid": paid, "amount_remaining": amount - paid, "number": "ACME-0001",
            "hosted_invoice_url": "https://invoice.stripe.com/i/acct_1/test_in_fixed", "attempt_count": 1,
            "next_payment_attempt": created + 3 * 86_400,
            "parent": ["type": "subscription_details", "subscription_details": ["subscription": subscription]],
        ])
    }

    static func subscription(_ id: String, _ type: String, at created: Int64, subscription: String, customer: String,
                             status: String, product: String) -> AppEvent {
        AppEvent(id: id, type: type, created: created, object: [
            "id": subscription, "object": "subscription", "customer": customer, "status": status,
            "items": ["object": "list", "has_more": false, "data": [[
                "id": "si_fixed", "object": "subscription_item", "quantity": 1,
                "current_period_start": created, "current_period_end": created + 30 * 86_400,
                "price": ["id": "price_fixed", "object": "price", "currency": "usd", "unit_amount": 2_000, "product": product,
                          "recurring": ["interval": "month", "usage_type": "licensed"]],
            ]]],
        ])
    }
}

/// The README's access queries ("The access row"), as the app's middleware runs them.
enum AccessQuery {
    case hasFeatureAccess, hasTokensRemaining, getSubscriptionStatus

    func text(for backend: StoreBackend) -> String {
        let sqlite = backend == .sqlite
        let team = sqlite ? "CAST(?1 AS TEXT)" : "CAST($1 AS TEXT)"
        switch self {
        case .hasFeatureAccess:
            let feature = sqlite ? "instr(features, ',' || CAST(?2 AS TEXT) || ',')" : "strpos(features, ',' || CAST($2 AS TEXT) || ',')"
            return "SELECT subscription_status IN ('active', 'trialing') AND \(feature) > 0 AS has_access FROM tally_team_access WHERE team_id = \(team)"
        case .hasTokensRemaining:
            return "SELECT subscription_status IN ('active', 'trialing') AND NOT blocked AND COALESCE(remaining > 0, TRUE) AS has_tokens FROM tally_team_access WHERE team_id = \(team)"
        case .getSubscriptionStatus:
            return "SELECT subscription_status FROM tally_team_access WHERE team_id = \(team)"
        }
    }
}
