import Foundation
import Testing
import TallySandbox
import TallyTestKit
@testable import TallyCore

/// `EventsJob` against the simulator over loopback HTTP with the live client, on both store backends.
@Suite("tally-events catches up Stripe events and processes them")
struct EventCatchUpTests {
    @Test("subscriptions created, renewed and cancelled in Stripe end up as the right subscription_items",
          arguments: StoreBackendUnderTest.all)
    func syncsSubscriptions(backend: StoreBackendUnderTest) async throws {
        try await EventsHarness.run(on: backend) { harness in
            // Given a team on seats plus metered tokens, and another on seats only
            let catalog = try harness.catalog()
            let team = try harness.simulator.state.createSubscription(
                customer: catalog.customer, items: [(catalog.seats, 3), (catalog.tokens, nil)])
            let small = try harness.simulator.state.createSubscription(customer: catalog.customer, items: [(catalog.seats, 1)])
            harness.advance(by: 3_600)

            // When tally-events runs
            let first = try await harness.catchUp()

            // Then both subscriptions' items are stored with their prices, kinds and periods
            #expect(first.new == 2 && first.processed == 2 && first.failed == 0)
            let items = try await harness.store.subscriptionItems(subscriptionID: team.id)
            #expect(items.count == 2)
            let seats = try #require(items.first { $0.priceID == catalog.seats })
            let tokens = try #require(items.first { $0.priceID == catalog.tokens })
            #expect(seats.quantity == 3 && !seats.isMetered && seats.productID == catalog.product)
            #expect(seats.customerID == catalog.customer)
            #expect(tokens.quantity == nil && tokens.isMetered)
            #expect(seats.currentPeriodStart == Date(timeIntervalSince1970: TimeInterval(team.items[0].currentPeriodStart)))
            #expect(seats.currentPeriodEnd == Date(timeIntervalSince1970: TimeInterval(team.items[0].currentPeriodEnd)))
            #expect(try await harness.store.subscriptionItems(subscriptionID: small.id).count == 1)
            // And the payload is Stripe's JSON with its own snake_case keys
            let createdEvent = try #require(harness.simulator.state.events.first { $0.type == "customer.subscription.created" })
            let stored = try #require(try await harness.store.stripeEvent(id: createdEvent.id))
            #expect(stored.payload.contains(#""current_period_start":"#) && stored.payload.contains(#""pending_webhooks":"#))

            // When the small one is cancelled, the big one renews the next day, and tally-events runs again
            _ = try await harness.client.send(StripeRequest(method: .delete, path: "/v1/subscriptions/\(small.id)"))
            harness.advance(by: 86_400)
            let second = try await harness.catchUp()

            // Then the cancelled one has no items, the renewed one carries its new period, invoices are kept
            #expect(second.failed == 0 && second.deadLettered == 0)
            #expect(try await harness.store.subscriptionItems(subscriptionID: small.id).isEmpty)
            let renewed = try #require(harness.simulator.state.subscriptions.first { $0.id == team.id })
            let renewedSeats = try #require(try await harness.store.subscriptionItems(subscriptionID: team.id)
                .first { $0.priceID == catalog.seats })
            #expect(renewedSeats.currentPeriodStart == Date(timeIntervalSince1970: TimeInterval(renewed.items[0].currentPeriodStart)))
            #expect(renewedSeats.currentPeriodStart! > seats.currentPeriodStart!)
            let queue = try await harness.store.stripeEventQueue(status: nil)
            #expect(queue.allSatisfy { $0.status == .done })
            let types = Set(try await queue.asyncMap { try await harness.store.stripeEvent(id: $0.eventID)?.eventType })
            #expect(types.isSuperset(of: ["customer.subscription.deleted", "customer.subscription.updated", "invoice.paid"]))
            #expect(second.jobReport.exitStatus == .ok)
        }
    }

    @Test("a re-run stores and processes nothing twice", arguments: StoreBackendUnderTest.all)
    func rerunIsIdempotent(backend: StoreBackendUnderTest) async throws {
        try await EventsHarness.run(on: backend) { harness in
            // Given one run that stored two subscriptions' events
            let catalog = try harness.catalog()
            try harness.simulator.state.createSubscription(customer: catalog.customer, items: [(catalog.seats, 2)])
            try harness.simulator.state.createSubscription(customer: catalog.customer, items: [(catalog.tokens, nil)])
            harness.advance(by: 60)
            let first = try await harness.catchUp()
            let items = try await harness.store.subscriptionItems(subscriptionID: nil)

            // When it runs again over the same (overlapping) window
            let second = try await harness.catchUp()

            // Then Stripe listed the events again, but none is stored, queued or processed a second time
            #expect(first.new == 2)
            #expect(second.fetched == 2)
            #expect(second.new == 0 && second.processed == 0)
            #expect(try await harness.store.stripeEventQueue(status: nil).count == 2)
            #expect(try await harness.store.subscriptionItems(subscriptionID: nil) == items)
        }
    }

    @Test("an older event processed after a newer one does not overwrite its items", arguments: StoreBackendUnderTest.all)
    func outOfOrder(backend: StoreBackendUnderTest) async throws {
        try await EventsHarness.run(on: backend) { harness in
            // Given a subscription created, then renewed, both processed
            let catalog = try harness.catalog()
            let subscription = try harness.simulator.state.createSubscription(customer: catalog.customer, items: [(catalog.seats, 3)])
            harness.advance(by: 60)
            _ = try await harness.catchUp()
            harness.advance(by: 86_400)
            _ = try await harness.catchUp()
            let current = try await harness.store.subscriptionItems(subscriptionID: subscription.id)
            #expect(current.count == 1)

            // When Stripe lists, late, an update from before the renewal that set 9 seats
            let createdEvent = try #require(harness.simulator.state.events.first { $0.type == "customer.subscription.created" })
            let created = try #require(try await harness.store.stripeEvent(id: createdEvent.id))
            var stale = try #require(try JSONSerialization.jsonObject(with: Data(created.payload.utf8)) as? [String: Any])
            stale["id"] = "evt_stale_update"
            stale["type"] = "customer.subscription.updated"
            stale["created"] = Int(created.created.timeIntervalSince1970) + 10
            stale = try Self.settingQuantity(9, in: stale)
            try harness.scriptEvents([stale])
            let run = try await harness.catchUp()

            // Then it is stored and processed for the record, but the renewed items stay
            #expect(run.new == 1 && run.processed == 1 && run.skippedAsStale == 1)
            #expect(try await harness.store.subscriptionItems(subscriptionID: subscription.id) == current)
            #expect(try await harness.store.stripeEvent(id: "evt_stale_update")?.processed == true)
        }
    }

    @Test("a poisoned event is retried with backoff and dead-lettered after 5 failures", arguments: StoreBackendUnderTest.all)
    func poisonedEvent(backend: StoreBackendUnderTest) async throws {
        try await EventsHarness.run(on: backend) { harness in
            // Given Stripe lists a subscription event whose object is not a subscription
            let now = Int(harness.clock.now().timeIntervalSince1970)
            try harness.scriptEvents([[
                "id": "evt_poison", "object": "event", "type": "customer.subscription.updated", "created": now,
                "livemode": false, "pending_webhooks": 1, "data": ["object": ["object": "subscription", "id": "sub_x"]],
            ]])

            // When tally-events runs: the first attempt fails and waits 2 minutes
            let first = try await harness.catchUp()
            #expect(first.new == 1 && first.failed == 1 && first.processed == 0)
            let entry = try #require(try await harness.store.stripeEventQueue(status: .failed).first)
            #expect(entry.retryCount == 1)
            #expect(entry.nextRetryAt == harness.clock.now().addingTimeInterval(120))
            #expect(entry.lastError?.contains("evt_poison") == true)
            #expect(first.jobReport.exitStatus == .ok)
            #expect(try harness.sentAlerts().isEmpty)

            // And a run before then leaves it alone
            let early = try await harness.catchUp()
            #expect(early.failed == 0 && early.processed == 0)

            // And each later run after its wait (4, 8, 16 minutes) fails it again until the fifth failure
            var waits: [TimeInterval] = []
            var last = early
            for _ in 0..<4 {
                let due = try #require(try await harness.store.stripeEventQueue(status: nil).first?.nextRetryAt)
                waits.append(due.timeIntervalSince(harness.clock.now()))
                harness.clock.advance(by: due.timeIntervalSince(harness.clock.now()))
                last = try await harness.catchUp()
            }

            // Then it is a dead letter, the run needs a human and names the event
            #expect(waits == [120, 240, 480, 960])
            #expect(last.deadLettered == 1)
            let dead = try #require(try await harness.store.stripeEventQueue(status: .dead).first)
            #expect(dead.retryCount == 5 && dead.nextRetryAt == nil)
            let report = last.jobReport
            #expect(report.needsHuman && report.exitStatus == .needsHuman)
            #expect(report.summary.contains("evt_poison"))
            #expect(try await harness.store.stripeEvent(id: "evt_poison")?.processed == false)
            // And ops got one email naming it and saying what to do
            let alerts = try harness.sentAlerts()
            #expect(alerts.count == 1)
            let alert = try #require(alerts.first)
            #expect(alert.header("To") == "ops@example.com")
            #expect(alert.header("Subject")?.contains("dead-lettered") == true)
            #expect(alert.text?.contains("evt_poison, after 5 failures") == true)
            #expect(alert.text?.contains("status 'pending' with retry_count 0") == true)

            // And it is never tried again, though it keeps the run needing a human
            harness.clock.advance(by: 86_400)
            let after = try await harness.catchUp()
            #expect(after.failed == 0 && after.deadLettered == 0 && after.jobReport.needsHuman)
            #expect(try harness.sentAlerts().count == 1)
        }
    }

    @Test("a stop between events leaves every event done or untouched, and the next run finishes",
          arguments: StoreBackendUnderTest.all)
    func interruptBetweenEvents(backend: StoreBackendUnderTest) async throws {
        try await EventsHarness.run(on: backend) { harness in
            // Given three subscriptions created in Stripe
            let catalog = try harness.catalog()
            for quantity in 1...3 {
                try harness.simulator.state.createSubscription(customer: catalog.customer, items: [(catalog.seats, Int64(quantity))])
            }
            harness.advance(by: 60)

            // When SIGTERM arrives while the first event is being written
            let flag = InterruptFlag()
            var job = try harness.composition(interrupt: flag).eventsJob()
            job.queue = InterruptingQueue(harness.store, flag: flag, after: 1)
            let stopped = await #expect(throws: JobInterrupted.self) {
                try await job.run()
            }
            #expect(stopped?.exitStatus == .temporaryFailure)

            // Then that event is done with its items, the others are stored and pending, none half-processed
            let queue = try await harness.store.stripeEventQueue(status: nil)
            #expect(queue.map(\.status) == [.done, .pending, .pending])
            for entry in queue {
                let event = try #require(try await harness.store.stripeEvent(id: entry.eventID))
                #expect(event.processed == (entry.status == .done))
            }
            let done = try #require(try await harness.store.stripeEvent(id: queue[0].eventID))
            let items = try await harness.store.subscriptionItems(subscriptionID: nil)
            #expect(items.count == 1)
            #expect(items.allSatisfy { done.payload.contains(#""id":"\#($0.subscriptionID)""#) })

            // And the next run finishes the rest
            let rerun = try await harness.catchUp()
            #expect(rerun.new == 0 && rerun.processed == 2)
            #expect(Set(try await harness.store.subscriptionItems(subscriptionID: nil).map(\.quantity)) == [1, 2, 3])
        }
    }

    @Test("a dry run lists what it would store and process, and writes nothing", arguments: StoreBackendUnderTest.all)
    func dryRun(backend: StoreBackendUnderTest) async throws {
        try await EventsHarness.run(on: backend) { harness in
            let catalog = try harness.catalog()
            try harness.simulator.state.createSubscription(customer: catalog.customer, items: [(catalog.seats, 2)])
            harness.advance(by: 60)

            let run = try await harness.catchUp(dryRun: true)

            #expect(run.fetched == 1 && run.new == 1 && run.processed == 1)
            #expect(run.jobReport.summary.hasPrefix("dry run"))
            #expect(try await harness.store.newestStripeEventCreated() == nil)
            #expect(try await harness.store.stripeEventQueue(status: nil).isEmpty)
            #expect(try await harness.store.subscriptionItems(subscriptionID: nil).isEmpty)
        }
    }

    /// `stale` with every item's quantity set to `quantity`.
    static func settingQuantity(_ quantity: Int, in event: [String: Any]) throws -> [String: Any] {
        var event = event
        var data = try #require(event["data"] as? [String: Any])
        var object = try #require(data["object"] as? [String: Any])
        var items = try #require(object["items"] as? [String: Any])
        let list = try #require(items["data"] as? [[String: Any]])
        items["data"] = list.map { item in
            var item = item
            item["quantity"] = quantity
            return item
        }
        object["items"] = items
        data["object"] = object
        event["data"] = data
        return event
    }
}

extension Sequence {
    /// `map` with an async transform, in order.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
