import Foundation
import Testing
@testable import TallyCore

/// Stripe's own sample objects: if the models cannot read these, they will not read Stripe.
@Suite("Models decode Stripe's own fixtures")
struct StripeModelFixtureTests {
    func decode<T: Decodable>(_ type: T.Type, _ key: String) throws -> T {
        let url = try #require(Bundle.module.url(forResource: "fixtures3", withExtension: "json", subdirectory: "Fixtures"))
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let resources = try #require(root["resources"] as? [String: Any])
        let object = try #require(resources[key], "fixture \(key)")
        let data = try JSONSerialization.data(withJSONObject: object)
        return try StripeDecoding.decoder().decode(T.self, from: data)
    }

    @Test("billing meter, with its payload keys")
    func meter() throws {
        let meter = try decode(Meter.self, "billing.meter")
        #expect(meter.id == "meter_123")
        #expect(meter.eventName == "test-meter-event-name")
        #expect(meter.customerPayloadKey == "customer")
        #expect(meter.valuePayloadKey == "value")
        #expect(meter.defaultAggregation?.formula == "sum")
        #expect(meter.eventTimeWindow == nil)
        #expect(meter.created == Date(timeIntervalSince1970: 1_234_567_890))
    }

    @Test("meter event summary, meter event and adjustment")
    func meterEvents() throws {
        let summary = try decode(MeterEventSummary.self, "billing.meter_event_summary")
        #expect(summary.aggregatedValue == 25)
        #expect(summary.startTime == Date(timeIntervalSince1970: 1_234_567_890))
        let event = try decode(MeterEvent.self, "billing.meter_event")
        #expect(event.identifier == "1234-1234")
        #expect(event.payload["value"] == "25")
        let adjustment = try decode(MeterEventAdjustment.self, "billing.meter_event_adjustment")
        #expect(adjustment.cancel?.identifier == "1234-1234")
        #expect(adjustment.type == "cancel")
    }

    @Test("customer, product and price")
    func catalog() throws {
        #expect(try decode(Customer.self, "customer").id == "cus_QXg1o8vcGmoR32")
        #expect(try decode(Product.self, "product").name == "T-shirt")
        let price = try decode(Price.self, "price")
        #expect(price.unitAmount == 2000)
        #expect(price.recurring?.interval == "month")
        #expect(!price.isMetered)
    }

    @Test("subscription with items, and a subscription item with its period")
    func subscriptions() throws {
        let subscription = try decode(Subscription.self, "subscription")
        #expect(subscription.status == "active")
        #expect(subscription.items?.data.first?.price?.id == "price_1PgafmB7WZ01zgkW6dKueIc5")
        let item = try decode(SubscriptionItem.self, "subscription_item")
        #expect(item.currentPeriodStart == Date(timeIntervalSince1970: 1_896_570_518))
        #expect(item.quantity == 1)
    }

    @Test("invoice with its lines, and a standalone line item")
    func invoices() throws {
        let invoice = try decode(Invoice.self, "invoice")
        #expect(invoice.amountDue == 1000)
        #expect(invoice.amountRemaining == 1000)
        #expect(invoice.status == "draft")
        #expect(invoice.totalTax == 0)
        #expect(invoice.lines?.data.first?.amount == 1000)
        #expect(invoice.lines?.hasMore == false)
        let line = try decode(InvoiceLineItem.self, "line_item")
        #expect(line.period?.end == Date(timeIntervalSince1970: 1_721_954_054))
        #expect(line.subscriptionItemID == "subscription_item")
    }

    @Test("event keeps data.object raw and decodes it on demand")
    func event() throws {
        let event = try decode(StripeEvent.self, "event")
        #expect(event.type == "plan.created")
        #expect(event.objectType == "plan")
        #expect(event.objectID == "price_1PgafmB7WZ01zgkW6dKueIc5")
        struct Plan: Decodable { var amount: Int64; var product: String }
        #expect(try event.object(as: Plan.self).amount == 2000)
    }

    @Test("a list envelope and Stripe's error body")
    func listAndError() throws {
        let list = try StripeDecoding.decoder().decode(StripeList<MeterEventSummary>.self, from: Data(#"""
            {"object": "list", "url": "/v1/x", "has_more": true, "data": [
              {"id": "mtrusg_1", "object": "billing.meter_event_summary", "aggregated_value": 1.5,
               "start_time": 1, "end_time": 2, "meter": "mtr_1", "livemode": false, "extra": null}]}
            """#.utf8))
        #expect(list.hasMore && list.data.first?.aggregatedValue == 1.5)
        let body = try StripeDecoding.decoder().decode(StripeErrorBody.self, from: Data(#"""
            {"error": {"type": "invalid_request_error", "code": "resource_missing", "message": "No such meter",
             "param": "id", "doc_url": "https://docs.stripe.com/error-codes/resource-missing", "request_log_url": null}}
            """#.utf8))
        #expect(body.error.code == "resource_missing")
        #expect(body.error.docUrl == "https://docs.stripe.com/error-codes/resource-missing")
    }
}
