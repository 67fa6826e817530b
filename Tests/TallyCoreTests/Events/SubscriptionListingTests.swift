import Foundation
import Logging
import Testing
import TallySandbox
import TallyTestKit
@testable import TallyCore

/// `tally-events` taking billing state from Stripe's subscription list, against the simulator over loopback
/// HTTP with the live client, on both store backends.
@Suite("tally-events lists subscriptions from Stripe")
struct SubscriptionListingTests {
    @Test("first install: an annual plan untouched for 90 days is listed, and tally-alerts evaluates its team",
          arguments: StoreBackendUnderTest.all)
    func firstInstall(backend: StoreBackendUnderTest) async throws {
        try await EventsHarness.run(on: backend, prepare: { try await SampleAppDatabase.create(at: $0) }) { harness in
            // Given an annual subscription created 90 days ago, with no event in Stripe's last 30 days
            let customer = harness.simulator.state.createCustomer(email: "ann@acme.test")
            let product = harness.simulator.state.createProduct(name: "Pro annual")
            let annual = try harness.simulator.state.createPrice(product: product.id, unitAmount: 120_000, interval: "year")
            let subscription = try harness.simulator.state.createSubscription(customer: customer.id, items: [(annual.id, 1)])
            harness.advance(by: 90 * 86_400)
            // And the app's team on it, with an owner, that used 600 tokens today
            try await SampleAppDatabase.insert(SampleApp(
                teams: [SampleTeam(id: 1, name: "Acme", stripeCustomerID: customer.id, stripeSubscriptionID: subscription.id)],
                users: [SampleUser(id: 1, name: "Ann", email: "ann@acme.test")],
                members: [SampleMember(userID: 1, teamID: 1, role: "owner")],
                usage: [SampleUsage(teamID: 1, userID: 1, tokens: 600, createdAt: harness.clock.now().addingTimeInterval(-3_600))]),
                at: harness.location)

            // When tally-events runs for the first time
            let events = try await harness.catchUp()

            // Then it found no event, but listed the subscription and stored its items with their annual period
            #expect(events.fetched == 0)
            #expect(events.listing?.reason == .firstRun)
            #expect(events.listing?.listed == 1 && events.listing?.items == 1)
            let items = try await harness.store.subscriptionItems(subscriptionID: subscription.id)
            #expect(items.map(\.priceID) == [annual.id])
            let start = try #require(items.first?.currentPeriodStart)
            let end = try #require(items.first?.currentPeriodEnd)
            #expect(start < harness.clock.now() && harness.clock.now() < end)
            #expect(try await harness.store.latestSubscriptionListing()?.subscriptions == 1)

            // And tally-alerts evaluates the team against its allowance instead of skipping it
            var composition = harness.composition(runID: 2)
            composition.configuration.plans = PlanCatalog([product.id: PlanAllowance(tokens: 1_000)])
            let alerts = try await composition.usageAlertsJob().evaluate()
            #expect(alerts.evaluated == 1)
            #expect(alerts.skipped.isEmpty)
            #expect(alerts.recorded == 1)
            #expect(try await harness.store.usageCaps().map(\.used) == [600])
        }
    }

    @Test("a first run, a team naming an unknown subscription and a week-old listing list everything; a fresh one does not",
          arguments: StoreBackendUnderTest.all)
    func whenItLists(backend: StoreBackendUnderTest) async throws {
        try await EventsHarness.run(on: backend, prepare: { try await SampleAppDatabase.create(at: $0) }) { harness in
            // Given a monthly subscription, its team, and a first run that listed it
            let customer = harness.simulator.state.createCustomer(email: "ann@acme.test")
            let product = harness.simulator.state.createProduct(name: "Pro")
            let monthly = try harness.simulator.state.createPrice(product: product.id, unitAmount: 2_000)
            let first = try harness.simulator.state.createSubscription(customer: customer.id, items: [(monthly.id, 1)])
            try await SampleAppDatabase.insert(SampleApp(teams: [
                SampleTeam(id: 1, name: "Acme", stripeCustomerID: customer.id, stripeSubscriptionID: first.id),
            ]), at: harness.location)
            harness.advance(by: 60)
            #expect(try await harness.catchUp().listing?.reason == .firstRun)

            // When it runs again an hour later
            harness.advance(by: 3_600)
            let fresh = try await harness.catchUp()

            // Then nothing is listed: the synced state is complete and fresh
            #expect(fresh.listing?.reason == nil)
            #expect(fresh.listing?.listed == 0)

            // When a second team names a subscription whose event Tally never saw
            let other = harness.simulator.state.createCustomer(email: "gil@globex.test")
            let second = try harness.simulator.state.createSubscription(customer: other.id, items: [(monthly.id, 4)])
            try await SampleAppDatabase.insert(SampleApp(teams: [
                SampleTeam(id: 2, name: "Globex", stripeCustomerID: other.id, stripeSubscriptionID: second.id),
            ]), at: harness.location)
            try harness.scriptEvents([])
            harness.advance(by: 3_600)
            let unknown = try await harness.catchUp()

            // Then everything is listed, and the subscription is synced
            #expect(unknown.listing?.reason == .unknownSubscription)
            #expect(unknown.listing?.listed == 2)
            #expect(try await harness.store.subscriptionItems(subscriptionID: second.id).map(\.quantity) == [4])
            #expect(try await harness.catchUp().listing?.reason == nil)

            // When a week passes since that listing
            harness.advance(by: 7 * 86_400)
            let weekly = try await harness.catchUp()

            // Then everything is listed again, and recorded
            #expect(weekly.listing?.reason == .weekly)
            #expect(weekly.listing?.listed == 2)
            #expect(try await harness.store.latestSubscriptionListing()?.reason == .weekly)
            #expect(weekly.jobReport.summary.contains("listed 2 subscriptions"))
        }
    }

    @Test("an event older than the listing, processed after it, does not overwrite it; a newer one does",
          arguments: StoreBackendUnderTest.all)
    func listingStamp(backend: StoreBackendUnderTest) async throws {
        try await EventsHarness.run(on: backend) { harness in
            // Given a subscription with 3 seats, caught up and listed a minute after its creation
            let catalog = try harness.catalog()
            let subscription = try harness.simulator.state.createSubscription(customer: catalog.customer, items: [(catalog.seats, 3)])
            harness.advance(by: 60)
            let first = try await harness.catchUp()
            #expect(first.listing?.reason == .firstRun)
            let listedAt = try #require(try await harness.store.latestSubscriptionListing()?.listedAt)
            let createdEvent = try #require(harness.simulator.state.events.first { $0.type == "customer.subscription.created" })
            let created = try #require(try await harness.store.stripeEvent(id: createdEvent.id))

            // When Stripe lists, late, an update from before the listing that set 9 seats
            try harness.scriptEvents([try Self.update(created, id: "evt_before_listing", at: listedAt.addingTimeInterval(-30), seats: 9)])
            harness.advance(by: 120)
            let late = try await harness.catchUp()

            // Then it is processed for the record, but the listed items stay
            #expect(late.processed == 1 && late.skippedAsStale == 1)
            #expect(try await harness.store.subscriptionItems(subscriptionID: subscription.id).map(\.quantity) == [3])

            // When an update from after the listing sets 5 seats
            try harness.scriptEvents([try Self.update(created, id: "evt_after_listing", at: listedAt.addingTimeInterval(90), seats: 5)])
            harness.advance(by: 60)
            let newer = try await harness.catchUp()

            // Then it is applied
            #expect(newer.processed == 1 && newer.skippedAsStale == 0)
            #expect(try await harness.store.subscriptionItems(subscriptionID: subscription.id).map(\.quantity) == [5])
        }
    }

    @Test("a listing ends the items of a subscription canceled without an event Tally saw, and lists every item of a big one",
          arguments: StoreBackendUnderTest.all)
    func canceledAndBig(backend: StoreBackendUnderTest) async throws {
        try await EventsHarness.run(on: backend) { harness in
            // Given a subscription caught up and listed, then canceled while Tally missed the event
            let customer = harness.simulator.state.createCustomer(email: "ann@acme.test")
            let product = harness.simulator.state.createProduct(name: "Bundle")
            let prices = try (1...12).map { try harness.simulator.state.createPrice(product: product.id, unitAmount: Int64($0)) }
            let canceled = try harness.simulator.state.createSubscription(customer: customer.id, items: [(prices[0].id, 1)])
            harness.advance(by: 60)
            _ = try await harness.catchUp()
            #expect(try await harness.store.subscriptionItems(subscriptionID: canceled.id).count == 1)
            _ = try await harness.client.send(StripeRequest(method: .delete, path: "/v1/subscriptions/\(canceled.id)"))
            // And a subscription of 12 items, more than Stripe embeds in a subscription, whose event was missed too
            let big = try harness.simulator.state.createSubscription(customer: customer.id, items: prices.map { ($0.id, 1) })

            // When the weekly listing runs
            try harness.scriptEvents([])
            harness.advance(by: 7 * 86_400)
            let weekly = try await harness.catchUp()

            // Then the canceled subscription's items are gone, and the big one has all 12
            #expect(weekly.listing?.reason == .weekly)
            #expect(weekly.listing?.ended == 1)
            #expect(try await harness.store.subscriptionItems(subscriptionID: canceled.id).isEmpty)
            #expect(try await harness.store.subscriptionItems(subscriptionID: big.id).count == 12)
            let synced = try await harness.store.syncedSubscriptions()
            #expect(synced.first(where: { $0.subscriptionID == canceled.id })?.ended == true)
            #expect(synced.allSatisfy { $0.customerID == customer.id })
        }
    }

    @Test("a dry run says a listing is due and writes nothing", arguments: StoreBackendUnderTest.all)
    func dryRun(backend: StoreBackendUnderTest) async throws {
        try await EventsHarness.run(on: backend) { harness in
            let catalog = try harness.catalog()
            try harness.simulator.state.createSubscription(customer: catalog.customer, items: [(catalog.seats, 2)])
            harness.advance(by: 60)

            let run = try await harness.catchUp(dryRun: true)

            #expect(run.listing?.reason == .firstRun)
            #expect(run.jobReport.summary.contains("would list every subscription (first run)"))
            #expect(try await harness.store.latestSubscriptionListing() == nil)
            #expect(try await harness.store.subscriptionItems(subscriptionID: nil).isEmpty)
        }
    }

    /// A `customer.subscription.updated` event made from the stored `created` event: `id`, `created` and every
    /// item's quantity replaced.
    static func update(_ created: StripeEventRecord, id: String, at time: Date, seats: Int) throws -> [String: Any] {
        var event = try #require(try JSONSerialization.jsonObject(with: Data(created.payload.utf8)) as? [String: Any])
        event["id"] = id
        event["type"] = "customer.subscription.updated"
        event["created"] = Int(time.timeIntervalSince1970)
        return try EventCatchUpTests.settingQuantity(seats, in: event)
    }
}

@Suite("When tally-events lists subscriptions")
struct SubscriptionListingScheduleTests {
    let now = Date(timeIntervalSince1970: 1_767_225_600)
    let schedule = SubscriptionListingSchedule()
    let known = SyncedSubscriptionIndex([
        SyncedSubscription(subscriptionID: "sub_1", customerID: "cus_1", ended: false, syncedAt: Date(timeIntervalSince1970: 0)),
        SyncedSubscription(subscriptionID: "sub_old", customerID: "cus_churned", ended: true, syncedAt: Date(timeIntervalSince1970: 0)),
    ])

    func team(_ customer: String?, _ subscription: String?) -> TeamSubscriptionReference {
        TeamSubscriptionReference(teamID: "1", customerID: customer, subscriptionID: subscription)
    }

    @Test("never listed: the first run lists")
    func firstRun() {
        #expect(schedule.reason(lastListing: nil, now: now, teams: [], synced: known) == .firstRun)
    }

    @Test("listed an hour ago, every team known (a churned customer too): nothing to list")
    func fresh() {
        let teams = [team("cus_1", "sub_1"), team("cus_churned", nil), team(nil, nil)]
        #expect(schedule.reason(lastListing: now.addingTimeInterval(-3_600), now: now, teams: teams, synced: known) == nil)
    }

    @Test("a team naming an unknown subscription id lists at once")
    func unknownSubscription() {
        let teams = [team("cus_1", "sub_1"), team("cus_2", "sub_2")]
        #expect(schedule.reason(lastListing: now.addingTimeInterval(-60), now: now, teams: teams, synced: known) == .unknownSubscription)
    }

    @Test("a customer with no known subscription lists once the last listing is a day old, not on every run")
    func unknownCustomer() {
        let teams = [team("cus_new", nil)]
        #expect(schedule.reason(lastListing: now.addingTimeInterval(-3_600), now: now, teams: teams, synced: known) == nil)
        #expect(schedule.reason(lastListing: now.addingTimeInterval(-86_400), now: now, teams: teams, synced: known) == .unknownSubscription)
    }

    @Test("a listing a week old is repeated")
    func weekly() {
        #expect(schedule.reason(lastListing: now.addingTimeInterval(-7 * 86_400 + 1), now: now, teams: [], synced: known) == nil)
        #expect(schedule.reason(lastListing: now.addingTimeInterval(-7 * 86_400), now: now, teams: [], synced: known) == .weekly)
    }
}
