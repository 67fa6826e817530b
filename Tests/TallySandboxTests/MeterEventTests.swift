import Foundation
import Testing
import TallySandbox

@Suite("Meter events")
struct MeterEventTests {
    @Test("rejects a duplicate identifier within 24 hours with Stripe-Should-Retry false")
    func duplicateIdentifierRejected() async throws {
        try await withSandbox { _, client in
            // given a meter and one accepted event
            _ = try await createMeter(client)
            let first = try await sendMeterEvent(client, customer: "cus_a", value: "5", identifier: "row-1")
            #expect(first.status == 200)
            // when the same identifier is sent again
            let second = try await sendMeterEvent(client, customer: "cus_a", value: "5", identifier: "row-1")
            // then Stripe's duplicate error comes back and must not be retried
            #expect(second.status == 400)
            #expect(second.error["type"] as? String == "invalid_request_error")
            #expect((second.error["message"] as? String)?.contains("An event already exists with identifier row-1") == true)
            #expect(second.header("Stripe-Should-Retry") == "false")
        }
    }

    @Test("accepts and counts again a re-sent identifier after the identifier window")
    func identifierWindowExpires() async throws {
        try await withSandbox { simulator, client in
            // given an accepted event
            let meter = try await createMeter(client)
            _ = try await sendMeterEvent(client, customer: "cus_a", value: "5", identifier: "row-1")
            // when the clock passes 24 hours and the identifier is re-sent
            simulator.clock.advance(by: 24 * 3600 + 1)
            let resent = try await sendMeterEvent(client, customer: "cus_a", value: "5", identifier: "row-1")
            // then it is accepted and both copies count
            #expect(resent.status == 200)
            let events = simulator.state.meterEvents(meterID: meter, customer: "cus_a")
            #expect(events.map(\.value) == [5, 5])
        }
    }

    @Test("rejects timestamps older than 35 days or more than 5 minutes ahead")
    func timestampBounds() async throws {
        try await withSandbox { _, client in
            _ = try await createMeter(client)
            let tooOld = try await sendMeterEvent(client, customer: "cus_a", value: "1",
                                                  timestamp: sandboxStart - 35 * 86_400 - 1)
            #expect(tooOld.status == 400)
            #expect((tooOld.error["message"] as? String)?.contains("cannot be more than 35 days in past") == true)
            #expect(tooOld.error["param"] as? String == "timestamp")

            let tooNew = try await sendMeterEvent(client, customer: "cus_a", value: "1", timestamp: sandboxStart + 301)
            #expect(tooNew.status == 400)

            let edge = try await sendMeterEvent(client, customer: "cus_a", value: "1",
                                                timestamp: sandboxStart - 35 * 86_400 + 60)
            #expect(edge.status == 200)
        }
    }

    @Test("rejects a non-numeric value and an unknown event name")
    func payloadValidation() async throws {
        try await withSandbox { _, client in
            _ = try await createMeter(client)
            let word = try await sendMeterEvent(client, customer: "cus_a", value: "ten")
            #expect(word.status == 400)
            #expect(word.error["param"] as? String == "payload[value]")
            let unknown = try await sendMeterEvent(client, eventName: "nope", customer: "cus_a", value: "1")
            #expect(unknown.status == 400)
            #expect(unknown.error["param"] as? String == "event_name")
        }
    }

    @Test("refuses events for a deactivated meter until it is reactivated")
    func inactiveMeter() async throws {
        try await withSandbox { _, client in
            let meter = try await createMeter(client)
            let deactivated = try await client.post("/v1/billing/meters/\(meter)/deactivate")
            #expect(deactivated.json["status"] as? String == "inactive")
            #expect(try await sendMeterEvent(client, customer: "cus_a", value: "1").status == 400)
            _ = try await client.post("/v1/billing/meters/\(meter)/reactivate")
            #expect(try await sendMeterEvent(client, customer: "cus_a", value: "1").status == 200)
        }
    }

    @Test("cancels an event within 24 hours of receipt and refuses after")
    func adjustments() async throws {
        try await withSandbox { simulator, client in
            // given two events received now
            let meter = try await createMeter(client)
            _ = try await sendMeterEvent(client, customer: "cus_a", value: "7", identifier: "keep")
            _ = try await sendMeterEvent(client, customer: "cus_a", value: "3", identifier: "drop")
            _ = try await sendMeterEvent(client, customer: "cus_a", value: "4", identifier: "late")
            // when one is cancelled within the window
            let cancel = try await client.post("/v1/billing/meter_event_adjustments", [
                ("event_name", "api_tokens"), ("type", "cancel"), ("cancel[identifier]", "drop"),
            ])
            #expect(cancel.status == 200)
            #expect(cancel.json["status"] as? String == "complete")
            // then it no longer counts
            let summary = try await client.get("/v1/billing/meters/\(meter)/event_summaries", [
                ("customer", "cus_a"), ("start_time", String(sandboxStart - 3600)), ("end_time", String(sandboxStart + 3600)),
            ])
            #expect(summary.data.first?["aggregated_value"] as? Int == 11)
            // and an adjustment after 24 hours is refused
            simulator.clock.advance(by: 24 * 3600 + 60)
            let late = try await client.post("/v1/billing/meter_event_adjustments", [
                ("event_name", "api_tokens"), ("type", "cancel"), ("cancel[identifier]", "late"),
            ])
            #expect(late.status == 400)
            #expect(simulator.state.aggregatedUsage(meterID: meter, customer: "cus_a",
                                                    start: Date(timeIntervalSince1970: Double(sandboxStart - 3600)),
                                                    end: Date(timeIntervalSince1970: Double(sandboxStart + 3600))) == 11)
        }
    }

    @Test("answers summaries over bulk-seeded events")
    func bulkSeeding() async throws {
        // given 400,000 events, four seconds apart, for 4 customers in turn, seeded directly (the benchmark
        // seeds 2 million the same way)
        let simulator = StripeSimulator()
        let meter = try simulator.state.createMeter(displayName: "Tokens", eventName: "api_tokens")
        let base = sandboxStart - 20 * 86_400
        let events = (0..<400_000).map { index in
            SimulatedMeterEvent(identifier: "e\(index)", eventName: "api_tokens", customer: "cus_\(index % 4)",
                                value: 2, timestamp: base + Int64(index) * 4)
        }
        #expect(simulator.state.appendMeterEvents(events) == 400_000)
        // when one customer's first day is aggregated
        let firstDay = simulator.state.aggregatedUsage(
            meterID: meter.id, customer: "cus_0", start: Date(timeIntervalSince1970: Double(base)),
            end: Date(timeIntervalSince1970: Double(base + 86_400)))
        // then it sums exactly that day's events: 21,600 events that day, every fourth one cus_0's, 2 each
        #expect(firstDay == 21_600 / 4 * 2)
        // and re-seeding the same identifiers within the window stores nothing
        #expect(simulator.state.appendMeterEvents(Array(events.prefix(10))) == 0)
    }
}
