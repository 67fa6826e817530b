import Foundation
@testable import TallyCore

/// A small October 2026 in USD and JPY whose figures are worked out by hand in the tests:
///
/// - Acme (team 1, USD): 3 seats x $20.00 a month plus 2 cents per token. October's invoice (paid on
///   Oct 1) bills September's 500 tokens: $60.00 + $10.00 = $70.00, matching local usage. September's
///   invoice ($65.00) was paid late, on Oct 2. A seat was added on Oct 15 (2 -> 3); the Oct 1 renewal is no change.
/// - Yamada KK (team 2, JPY): started Oct 10, ¥3,000 a month plus ¥1 per token; its Oct 31 invoice bills
///   700 tokens where the app recorded 750 (under-billed by 50), and its card failed twice: ¥3,700 open.
/// - The hostile `=HYPERLINK(...)` team (3, USD): $120.00 a year, cancelled Oct 20; an invoice voided on Oct 6.
enum HandDataset {
    static let hostileName = "=HYPERLINK(\"http://evil.example\",\"x\")"
    static let october = try! ReportPeriod.month("2026-10")
    static let afterOctober = utc("2026-11-02T08:00:00Z")

    static func data(now: Date = afterOctober, period: ReportPeriod = october) -> ReportingData {
        ReportingData(
            period: period, now: now, invoices: invoices, unpaidInvoices: [invoices[1]],
            subscriptions: subscriptions, events: events, usage: usage(in: period), previousUsage: usage(in: period.previousMonth),
            lineUsage: ["il_a2": 500, "il_y2": 750],
            teams: [TeamRecord(id: "1", name: "Acme Analytics", stripeCustomerID: "cus_acme"),
                    TeamRecord(id: "2", name: "Yamada KK", stripeCustomerID: "cus_yama"),
                    TeamRecord(id: "3", name: hostileName, stripeCustomerID: "cus_evil")],
            discrepancies: [], apiCalls: apiCalls)
    }

    static let allUsage: [DailyUsage] = [
        day("1", "cus_acme", "2026-09-10", 400),
        day("1", "cus_acme", "2026-10-01", 300),
        day("3", "cus_evil", "2026-10-03", 10),
        day("2", "cus_yama", "2026-10-12", 750),
        day("1", "cus_acme", "2026-10-15", 200),
        day("1", "cus_acme", "2026-11-05", 1_000),
    ]

    static func usage(in period: ReportPeriod) -> [DailyUsage] { allUsage.filter { period.contains($0.day) } }

    static func day(_ team: String, _ customer: String, _ day: String, _ tokens: Int64) -> DailyUsage {
        let start = utc(day + "T00:00:00Z")
        return DailyUsage(stripeCustomerID: customer, teamID: team, day: start, tokens: tokens, rows: tokens / 100 + 1,
                          reportedTokens: tokens, lastEventAt: start.addingTimeInterval(3_600), lastTokens: 1)
    }

    static let subscriptions: [Subscription] = [
        decode(subscription("sub_acme", customer: "cus_acme", status: "active", start: "2026-09-01T00:00:00Z",
                            items: [item("price_pro_usd", "usd", 2_000, quantity: 3), meteredItem("price_tok_usd", "usd", 2)])),
        decode(subscription("sub_yama", customer: "cus_yama", status: "active", start: "2026-10-10T00:00:00Z",
                            items: [item("price_pro_jpy", "jpy", 3_000, quantity: 1), meteredItem("price_tok_jpy", "jpy", 1)])),
        decode(subscription("sub_evil", customer: "cus_evil", status: "canceled", start: "2026-08-01T00:00:00Z",
                            canceled: "2026-10-20T00:00:00Z",
                            items: [item("price_evil_year", "usd", 12_000, quantity: 1, interval: "year")])),
    ]

    static let invoices: [Invoice] = [
        decode(invoice("in_acme_oct", number: "ACME-0002", customer: "cus_acme", currency: "usd", status: "paid",
                       created: "2026-10-01T00:00:00Z", total: 7_000, paid: 7_000, attempts: 1,
                       transitions: ["finalized_at": "2026-10-01T00:00:00Z", "paid_at": "2026-10-01T00:00:00Z"],
                       lines: [line("il_a1", "price_pro_usd", quantity: 3, amount: 6_000, currency: "usd", "2026-10-01", "2026-11-01"),
                               line("il_a2", "price_tok_usd", quantity: 500, amount: 1_000, currency: "usd", "2026-09-01", "2026-10-01")])),
        decode(invoice("in_yama_oct", number: "YAMA-0001", customer: "cus_yama", currency: "jpy", status: "open",
                       created: "2026-10-31T00:00:00Z", total: 3_700, paid: 0, attempts: 2,
                       transitions: ["finalized_at": "2026-10-31T00:00:00Z"], nextAttempt: "2026-11-03T00:00:00Z",
                       lines: [line("il_y1", "price_pro_jpy", quantity: 1, amount: 3_000, currency: "jpy", "2026-10-31", "2026-11-30"),
                               line("il_y2", "price_tok_jpy", quantity: 700, amount: 700, currency: "jpy", "2026-10-10", "2026-10-31")])),
        decode(invoice("in_evil_void", number: "EVIL-0003", customer: "cus_evil", currency: "usd", status: "void",
                       created: "2026-10-05T00:00:00Z", total: 1_000, paid: 0, attempts: 0,
                       transitions: ["finalized_at": "2026-10-05T00:00:00Z", "voided_at": "2026-10-06T00:00:00Z"], lines: [])),
        decode(invoice("in_acme_sep", number: "ACME-0001", customer: "cus_acme", currency: "usd", status: "paid",
                       created: "2026-09-01T00:00:00Z", total: 6_500, paid: 6_500, attempts: 2,
                       transitions: ["finalized_at": "2026-09-01T00:00:00Z", "paid_at": "2026-10-02T00:00:00Z"], lines: [])),
    ]

    static let events: [StripeEvent] = [
        // The Oct 1 renewal: only the periods moved.
        decode(event("evt_renewal", "customer.subscription.updated", at: "2026-10-01T00:00:00Z",
                     object: subscription("sub_acme", customer: "cus_acme", status: "active", start: "2026-09-01T00:00:00Z",
                                          items: [item("price_pro_usd", "usd", 2_000, quantity: 2), meteredItem("price_tok_usd", "usd", 2)]),
                     previous: ["items": ["object": "list", "data": [["price": ["id": "price_pro_usd"], "quantity": 2],
                                                                     ["price": ["id": "price_tok_usd"]]]]])),
        // A seat added on Oct 15.
        decode(event("evt_seat", "customer.subscription.updated", at: "2026-10-15T09:30:00Z",
                     object: subscription("sub_acme", customer: "cus_acme", status: "active", start: "2026-09-01T00:00:00Z",
                                          items: [item("price_pro_usd", "usd", 2_000, quantity: 3), meteredItem("price_tok_usd", "usd", 2)]),
                     previous: ["items": ["object": "list", "data": [["price": ["id": "price_pro_usd"], "quantity": 2],
                                                                     ["price": ["id": "price_tok_usd"]]]]])),
        decode(event("evt_fail", "invoice.payment_failed", at: "2026-10-31T00:05:00Z",
                     object: ["id": "in_yama_oct", "object": "invoice", "currency": "jpy", "amount_due": 3_700,
                              "amount_paid": 0, "amount_remaining": 3_700], previous: nil)),
    ]

    static let apiCalls: [APICallRecord] = [
        call("GET", "/v1/invoices", 200, 10), call("GET", "/v1/invoices", 200, 20),
        call("GET", "/v1/invoices/in_1abc/lines", 200, 30), call("GET", "/v1/invoices/in_2xyz/lines", 200, 40),
        call("POST", "/v1/billing/meter_events", 200, 50), call("POST", "/v1/billing/meter_events", 500, 100),
        call("POST", "/v1/billing/meter_events", 429, 5, rateLimited: true), call("POST", "/v1/billing/meter_events", 0, 1_000),
    ]

    // MARK: - Builders of Stripe JSON, decoded with Tally's own decoder

    static func decode<T: Decodable>(_ object: [String: Any]) -> T {
        let data = try! JSONSerialization.data(withJSONObject: object)
        return try! StripeDecoding.decoder().decode(T.self, from: data)
    }

    static func seconds(_ text: String) -> Int { Int(utc(text).timeIntervalSince1970) }

    static func price(_ id: String, _ currency: String, _ amount: Int, interval: String = "month", metered: Bool) -> [String: Any] {
        ["id": id, "object": "price", "currency": currency, "unit_amount": amount, "unit_amount_decimal": "\(amount)",
         "recurring": ["interval": interval, "interval_count": 1, "usage_type": metered ? "metered" : "licensed"]]
    }

    static func item(_ price: String, _ currency: String, _ amount: Int, quantity: Int, interval: String = "month") -> [String: Any] {
        ["id": "si_\(price)", "object": "subscription_item", "quantity": quantity,
         "price": Self.price(price, currency, amount, interval: interval, metered: false)]
    }

    static func meteredItem(_ price: String, _ currency: String, _ amount: Int) -> [String: Any] {
        ["id": "si_\(price)", "object": "subscription_item", "price": Self.price(price, currency, amount, metered: true)]
    }

    static func subscription(_ id: String, customer: String, status: String, start: String, canceled: String? = nil,
                             items: [[String: Any]]) -> [String: Any] {
        var object: [String: Any] = ["id": id, "object": "subscription", "customer": customer, "status": status,
                                     "created": seconds(start), "start_date": seconds(start),
                                     "items": ["object": "list", "data": items, "has_more": false]]
        if let canceled {
            object["canceled_at"] = seconds(canceled)
            object["ended_at"] = seconds(canceled)
        }
        return object
    }

    static func line(_ id: String, _ price: String, quantity: Int, amount: Int, currency: String,
                     _ start: String, _ end: String) -> [String: Any] {
        ["id": id, "object": "line_item", "amount": amount, "currency": currency, "quantity": quantity,
         "period": ["start": seconds(start + "T00:00:00Z"), "end": seconds(end + "T00:00:00Z")],
         "pricing": ["type": "price_details", "price_details": ["price": price]]]
    }

    static func invoice(_ id: String, number: String, customer: String, currency: String, status: String, created: String,
                        total: Int, paid: Int, attempts: Int, transitions: [String: String], nextAttempt: String? = nil,
                        lines: [[String: Any]]) -> [String: Any] {
        var object: [String: Any] = [
            "id": id, "object": "invoice", "number": number, "customer": customer, "currency": currency, "status": status,
            "created": seconds(created), "amount_due": total, "amount_paid": paid,
            "amount_remaining": status == "void" ? 0 : total - paid, "subtotal": total, "total": total,
            "total_taxes": [], "attempt_count": attempts, "hosted_invoice_url": "https://invoice.stripe.com/i/\(id)",
            "period_start": seconds(created), "period_end": seconds(created),
            "status_transitions": transitions.mapValues { seconds($0) },
            "lines": ["object": "list", "data": lines, "has_more": false],
        ]
        if let nextAttempt { object["next_payment_attempt"] = seconds(nextAttempt) }
        return object
    }

    static func event(_ id: String, _ type: String, at: String, object: [String: Any], previous: [String: Any]?) -> [String: Any] {
        var data: [String: Any] = ["object": object]
        if let previous { data["previous_attributes"] = previous }
        return ["id": id, "object": "event", "type": type, "created": seconds(at), "data": data]
    }

    static func call(_ method: String, _ path: String, _ status: Int, _ latency: Double, rateLimited: Bool = false) -> APICallRecord {
        APICallRecord(startedAt: utc("2026-10-20T12:00:00Z"), method: method, path: path, status: status,
                      latencyMilliseconds: latency, requestID: nil, rateLimited: rateLimited,
                      errorCode: status == 200 ? nil : "api_error", attempt: 1, runID: nil)
    }
}
