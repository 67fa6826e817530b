import Foundation
import Logging
import Testing
import TallySandbox
import TallyTestKit
@testable import TallyCore

/// Stripe's meter error reports (`GET /v2/core/events`) from the simulator, over loopback.
@Suite("Meter error reports")
struct MeterErrorReportTests {
    @Test("a report emails ALERT_EMAIL once with each code, its count, window and matched rows, and marks those deliveries rejected",
          arguments: StoreBackendUnderTest.all)
    func report(backend: StoreBackendUnderTest) async throws {
        try await BillingEventsWorld.run(on: backend) { world in
            // Given two usage rows, one sent by tally-retry under tu_1, one by the app under its own identifier
            let now = world.harness.clock.now()
            try await SampleAppDatabase.insertUsage(count: 2, at: world.harness.location) { index in
                SampleUsage(teamID: 1, userID: 1, tokens: 10, createdAt: now.addingTimeInterval(-3_600),
                            meterEventIdentifier: index == 0 ? nil : "app-usage-2")
            }
            _ = try await world.store.recordDelivery(MeterEventDelivery(
                usageRowID: "1", identifier: "tu_1", customerID: world.customer, eventName: "tokens", value: 10,
                eventTimestamp: now.addingTimeInterval(-3_600), status: .sent, attempts: 1, createdAt: now, updatedAt: now))
            let meter = try #require(world.harness.simulator.state.meters.first)
            world.harness.simulator.state.reportMeterErrors(meter: meter.id, errors: [
                SimulatedV2Event.MeterError(code: "meter_event_customer_not_found", count: 7, sampleIdentifiers: ["tu_1", "app-usage-2"]),
            ])
            let processor = world.meterErrors

            // When tally reads the reports, twice
            let first = try await processor.run()
            let second = try await processor.run()

            // Then one email names the code, count, window and the matched rows
            #expect(first.reports == 1)
            #expect(first.rowsMatched == 2)
            #expect(first.deliveriesRejected == 1)
            #expect(second.reports == 0)
            let emails = try world.emails()
            try #require(emails.count == 1)
            #expect(emails[0].header("To") == "ops@example.com")
            #expect(emails[0].header("Subject") == "[Tally] Stripe rejected meter events: 7 (v1.billing.meter.error_report_triggered)")
            let text = try #require(emails[0].text)
            #expect(text.contains("- meter_event_customer_not_found, events: 7; samples: tu_1 → token_usage row 1; app-usage-2 → token_usage row 2"))
            #expect(text.contains("in the window "))
            // And the delivery Tally sent is rejected, which tally-retry treats as settled
            let rejected = try await world.store.deliveries(status: .rejected)
            #expect(rejected.map(\.identifier) == ["tu_1"])
        }
    }

    @Test("reports of both types over several pages of GET /v2/core/events are each read once", arguments: StoreBackendUnderTest.all)
    func paging(backend: StoreBackendUnderTest) async throws {
        try await BillingEventsWorld.run(on: backend) { world in
            let meter = try #require(world.harness.simulator.state.meters.first)
            // 21 reports of one type: more than a page (20) of GET /v2/core/events.
            for index in 0..<23 {
                world.harness.advance(by: 1)
                world.harness.simulator.state.reportMeterErrors(meter: index < 21 ? meter.id : nil, errors: [
                    SimulatedV2Event.MeterError(code: index < 21 ? "archived_meter" : "no_meter", count: 1,
                                                sampleIdentifiers: ["unknown-\(index)"]),
                ])
            }
            let processor = world.meterErrors
            #expect(try await processor.run().reports == 23)
            world.harness.advance(by: 1)
            world.harness.simulator.state.reportMeterErrors(meter: nil, errors: [
                SimulatedV2Event.MeterError(code: "no_meter", count: 2, sampleIdentifiers: ["late"]),
            ])
            let next = try await processor.run()
            #expect(next.reports == 1)
            #expect(next.rowsMatched == 0)
            let subjects = try world.emails().compactMap { $0.header("Subject") }
            #expect(subjects.count == 24)
            #expect(subjects.filter { $0.hasSuffix("(v1.billing.meter.no_meter_found)") }.count == 3)
        }
    }
}
