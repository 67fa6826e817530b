import Foundation
import Testing
import TallyTestKit
@testable import TallyCore

/// Links to the invoice a problem's usage lands on (issue 14): from the invoices tally-events keeps, only
/// where exactly one covers the problem's days, never guessed, and never from a Stripe call.
@Suite("Invoice links in the reconcile and retry emails")
struct InvoiceLinkTests {
    static let november = KnownInvoice(invoiceID: "in_nov", customerID: "cus_acme", number: "ACME-0011", status: "draft",
                                       periodStart: AlertDigestTests.day(-29), periodEnd: AlertDigestTests.day(1))
    static let link = "https://dashboard.stripe.com/test/invoices/in_nov"

    static func alert(invoices: [KnownInvoice]) -> ReconciliationAlert {
        var names = AlertDigestTests.names
        names.invoices = InvoiceLinks(invoices)
        let outcome = AlertDigestTests.outcome(AlertDigestTests.night1Gaps(), night: 0)
        let digest = ReconciliationAlert.digest(of: outcome, announced: [], now: AlertDigestTests.day(0).addingTimeInterval(7_800),
                                                remindDays: 7, names: names)
        return ReconciliationAlert(outcome: outcome, digest: digest, names: names, links: StripeDashboardLinks(liveMode: false),
                                   csv: Data())
    }

    @Test("a problem whose days fall in a known invoice's period links that invoice in text and HTML; the others link none")
    func reconcileKnownInvoice() throws {
        let alert = Self.alert(invoices: [Self.november])
        #expect(alert.text.contains("difference 250. run tally-retry\n  On invoice ACME-0011: \(Self.link)\n"))
        #expect(alert.html.contains("<a href=\"\(Self.link)\""))
        #expect(alert.html.contains(">invoice ACME-0011</a>"))
        #expect(alert.html.contains(">Invoice</th>"))
        // Orphan Labs and Beta have no stored invoice: their rows name none.
        #expect(alert.text.components(separatedBy: "/invoices/").count == 2)
        #expect(alert.html.components(separatedBy: "/invoices/").count == 2)
        try StrictHTML.check(alert.html)
    }

    @Test("without a known invoice the emails link none and have no invoice column")
    func reconcileNoInvoice() {
        let alert = Self.alert(invoices: [])
        #expect(!alert.text.contains("/invoices/") && !alert.html.contains("/invoices/"))
        #expect(!alert.text.contains("On invoice"))
        #expect(!alert.html.contains(">Invoice</th>"))
    }

    @Test("no link for a void invoice, a period that ends inside the problem's days, or two candidate invoices")
    func neverGuessed() {
        var void = Self.november
        void.status = "void"
        var endsEarly = Self.november
        endsEarly.periodEnd = AlertDigestTests.day(-2)
        var other = Self.november
        other.invoiceID = "in_other"
        for invoices in [[void], [endsEarly], [Self.november, other]] {
            let alert = Self.alert(invoices: invoices)
            #expect(!alert.text.contains("/invoices/") && !alert.html.contains("/invoices/"), "linked from \(invoices.map(\.invoiceID))")
        }
    }

    @Test("a draft invoice without a number is named by its id; a live key links the live Dashboard")
    func draftAndLive() {
        var draft = Self.november
        draft.number = nil
        let links = InvoiceLinks([draft])
        let cell = ReconciliationAlert.Wording(names: .init(invoices: links))
            .invoiceCell(ProblemGroup.groups(AlertDigestTests.night1Gaps()).first { $0.customerID == "cus_acme" }!,
                         links: StripeDashboardLinks(liveMode: true))
        #expect(cell.text == "invoice in_nov")
        #expect(cell.link == "https://dashboard.stripe.com/invoices/in_nov")
    }

    @Test("the retry email links the invoice a held-back item's usage lands on, and none where it is not known")
    func retryEmail() throws {
        let report = EmailHTMLTests.retryReport()
        let alert = RetryAlert(report: report, customerNames: ["cus_acme": "Acme"], links: StripeDashboardLinks(liveMode: false),
                               invoices: InvoiceLinks([Self.november]))
        let message = alert.message(from: EmailAddress(address: "tally@example.com"), to: [EmailAddress(address: "ops@example.com")])
        let html = try #require(message.htmlBody)
        try StrictHTML.check(html)
        // Usage row 981 is 36 days old, before the November invoice's period; the excess of cus_evil has no invoice.
        #expect(!message.textBody.contains("/invoices/") && !html.contains("/invoices/"))
        #expect(!html.contains(">Invoice</th>"))

        var recent = report
        recent.results[0].timestamp = AlertDigestTests.day(-3)
        let linked = RetryAlert(report: recent, customerNames: ["cus_acme": "Acme"], links: StripeDashboardLinks(liveMode: false),
                                invoices: InvoiceLinks([Self.november]))
        #expect(linked.text.contains("usage row 981, value 22, at 2026-11-27T00:00:00Z: older than Stripe's 35-day limit. "
                                     + "Fix: bill 22 tokens with an invoice item on the customer's next invoice\n  On invoice ACME-0011: \(Self.link)\n"))
        #expect(linked.html.contains("<a href=\"\(Self.link)\""))
        #expect(linked.html.contains(">Invoice</th>"))
        // Only the item whose time the invoice covers links it.
        #expect(linked.text.components(separatedBy: "/invoices/").count == 2)
        try StrictHTML.check(linked.html)
    }

    @Test("the store returns the invoices of the asked customers whose period overlaps the range", arguments: StoreBackendUnderTest.all)
    func storeLookup(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore { store, _ in
            let day = AlertDigestTests.day
            func invoice(_ id: String, _ customer: String, from start: Int?, to end: Int?) -> InvoiceRecord {
                InvoiceRecord(invoiceID: id, customerID: customer, subscriptionID: "sub_1", number: id.uppercased(), status: "open",
                              currency: "usd", amountDue: 100, amountPaid: 0, amountRemaining: 100, hostedInvoiceURL: nil,
                              nextPaymentAttempt: nil, periodStart: start.map(day), periodEnd: end.map(day))
            }
            for (index, record) in [invoice("in_oct", "cus_a", from: -60, to: -29), invoice("in_nov", "cus_a", from: -29, to: 1),
                                    invoice("in_b", "cus_b", from: -29, to: 1), invoice("in_c", "cus_c", from: -29, to: 1),
                                    invoice("in_none", "cus_a", from: nil, to: nil)].enumerated() {
                _ = try await store.applyBillingChange(BillingChange(
                    eventID: "evt_\(index)", eventType: "invoice.finalized", eventCreated: day(index), customerID: record.customerID,
                    invoice: record, appliedAt: day(index)))
            }
            let found = try await store.knownInvoices(customerIDs: ["cus_a", "cus_b"], from: day(-4), to: day(0))
            #expect(found.map(\.invoiceID) == ["in_nov", "in_b"])
            #expect(found.first == KnownInvoice(invoiceID: "in_nov", customerID: "cus_a", number: "IN_NOV", status: "open",
                                                periodStart: day(-29), periodEnd: day(1)))
            #expect(try await store.knownInvoices(customerIDs: [], from: day(-4), to: day(0)).isEmpty)
        }
    }
}
