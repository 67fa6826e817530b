import Foundation
import Testing
import TallyTestKit
@testable import TallyCore

/// Every email template's HTML through the strict check (`StrictHTML`), its text and HTML parts saying the
/// same things, and the retry email pinned by golden files (regenerate after a deliberate change with
/// `TALLY_RECORD_GOLDEN=1 swift test --filter EmailHTMLTests` and review the diff).
@Suite("Email HTML")
struct EmailHTMLTests {
    static let hostile = "<script>alert('x')</script> & Co\r\nBcc: victim@evil.test"

    static func notice(level: UsageLevel, projected: Bool) -> UsageNotice {
        UsageNotice(teamID: "1", teamName: hostile, threshold: level == .limit ? 1 : 0.8, level: level,
                    used: level == .limit ? 1_000 : 812, allowance: 1_000,
                    period: TeamBillingPeriod(teamID: "1", start: Date(timeIntervalSince1970: 1_793_491_200),
                                              end: Date(timeIntervalSince1970: 1_796_083_200)),
                    projectedLimitAt: projected ? Date(timeIntervalSince1970: 1_795_500_000) : nil)
    }

    static let notices: [(UsageLevel, Bool)] = [(.warning, false), (.warning, true), (.urgent, true), (.limit, false)]

    /// The words of a part, markup and entities gone, whitespace collapsed: what a reader sees.
    static func words(_ text: String, markup: Bool = true) -> String {
        var plain = markup ? text.replacingOccurrences(of: "<[^>]+>", with: " ", options: .regularExpression) : text
        for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            plain = plain.replacingOccurrences(of: entity, with: character)
        }
        return plain.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    @Test("the usage notice's HTML passes the strict check at every level", arguments: 0..<notices.count)
    func usageNoticeStrict(index: Int) throws {
        let (level, projected) = Self.notices[index]
        let html = try AlertTemplateSet().html.render(Self.notice(level: level, projected: projected).templateValues)
        try StrictHTML.check(html)
    }

    @Test("the dead-letter email has an HTML part that passes the strict check and names every event its text names")
    func deadLetterEmail() throws {
        let entries = [EventQueueEntry(eventID: "evt_1", status: .dead, retryCount: 5, lastError: Self.hostile),
                       EventQueueEntry(eventID: "evt_2", status: .dead, retryCount: 5, lastError: nil)]
        let message = try #require(DeadLetterAlert(deadLettered: entries).message(
            opsMail: OpsMail(recipients: [EmailAddress(address: "ops@example.test")]), now: Date(timeIntervalSince1970: 1_793_491_200)))
        let html = try #require(message.htmlBody)
        try StrictHTML.check(html)
        let words = Self.words(html)
        for sentence in ["tally-events gave up on 2 Stripe events after repeated failures.",
                         "They are stored in stripe_events and marked dead in stripe_event_queue;",
                         "What to do: look the event up in the Stripe dashboard", "evt_1", "evt_2", "no error recorded"] {
            #expect(message.textBody.contains(sentence))
            #expect(words.contains(sentence), "the HTML part lacks: \(sentence)")
        }
        #expect(!html.contains("<script>"))
    }

    @Test("the usage notice's HTML says every sentence its text part says", arguments: 0..<notices.count)
    func usageNoticeParity(index: Int) throws {
        let (level, projected) = Self.notices[index]
        let templates = try AlertTemplateSet()
        let values = Self.notice(level: level, projected: projected).templateValues
        let html = Self.words(try templates.html.render(values))
        let text = try templates.text.render(values)
        // Sentences of the text part (the sign-off's "-- " is a text convention, not a sentence).
        let sentences = Self.words(text.replacingOccurrences(of: "-- ", with: ""), markup: false)
            .components(separatedBy: ". ").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: ". ")) }.filter { !$0.isEmpty }
        #expect(!sentences.isEmpty)
        for sentence in sentences {
            #expect(html.contains(sentence), "the HTML part leaves out: \(sentence)")
        }
    }

    @Test("the blocked-team ops email has an HTML part that passes the strict check and says what its text says")
    func opsBlockedEmail() throws {
        let templates = try AlertTemplateSet()
        let values = Self.notice(level: .limit, projected: false).templateValues
        let html = try templates.opsHTML.render(values)
        try StrictHTML.check(html)
        let text = Self.words(try templates.opsText.render(values), markup: false)
        for sentence in text.components(separatedBy: ". ").map({ $0.trimmingCharacters(in: CharacterSet(charactersIn: ". ")) }) where !sentence.isEmpty {
            #expect(Self.words(html).contains(sentence), "the HTML part leaves out: \(sentence)")
        }
    }

    static func retryReport() -> RetryReport {
        let at = Date(timeIntervalSince1970: 1_795_996_800)
        return RetryReport(results: [
            RetryRowResult(usageRowID: "981", identifier: "tally-981", customerID: "cus_acme", value: 22, timestamp: at.addingTimeInterval(-36 * 86_400),
                           outcome: .needsHuman, detail: "older than Stripe's 35-day limit",
                           suggestedFix: "bill 22 tokens with an invoice item on the customer's next invoice"),
            RetryRowResult(usageRowID: "", identifier: "tally-x", customerID: "cus_evil", value: 40, timestamp: at.addingTimeInterval(-3_600),
                           outcome: .needsHuman, detail: "Stripe has 40 more than the app", suggestedFix: "credit note for 40 tokens"),
            RetryRowResult(usageRowID: "982", identifier: "tally-982", customerID: "cus_acme", value: 5, timestamp: at, outcome: .sent, detail: "sent"),
        ], date: at)
    }

    @Test("the retry email names customers, links them in the test Dashboard, has an HTML part and matches its golden files")
    func retryEmail() throws {
        // The excess of cus_evil lands on its November invoice; usage row 981 predates every known invoice.
        let november = KnownInvoice(invoiceID: "in_1EvilNov", customerID: "cus_evil", number: "EVIL-0003", status: "open",
                                    periodStart: Date(timeIntervalSince1970: 1_793_491_200), periodEnd: Date(timeIntervalSince1970: 1_796_083_200))
        let alert = RetryAlert(report: Self.retryReport(), customerNames: ["cus_acme": "Acme", "cus_evil": Self.hostile],
                               links: StripeDashboardLinks(liveMode: false), invoices: InvoiceLinks([november]))
        let message = alert.message(from: EmailAddress(address: "tally@example.com"), to: [EmailAddress(address: "ops@example.com")])
        #expect(message.subject == "Tally: 2 usage items need a person (tally-retry held them back)")
        let html = try #require(message.htmlBody)
        try StrictHTML.check(html)
        #expect(html.contains("<a href=\"https://dashboard.stripe.com/test/customers/cus_acme\""))
        #expect(html.contains("<a href=\"https://dashboard.stripe.com/test/invoices/in_1EvilNov\""))
        #expect(message.textBody.contains("\n  On invoice EVIL-0003: https://dashboard.stripe.com/test/invoices/in_1EvilNov\n"))
        #expect(!html.contains("<script>"))
        #expect(message.textBody.contains("Acme (cus_acme), usage row 981, value 22"))
        #expect(!message.textBody.contains("\nBcc:"))
        // Every cell of every listed item is in both parts (an item without a known invoice has an empty one).
        for cell in alert.rows.joined() where !cell.text.isEmpty {
            #expect(message.textBody.contains(cell.text) && html.contains(HTMLText.escape(cell.text)), "a part leaves out: \(cell.text)")
        }
        for (ext, produced) in [("txt", "Subject: \(message.subject)\n\n" + message.textBody), ("html", html)] {
            let url = AlertDigestTests.goldenDirectory.appendingPathComponent("retry-needs-human.\(ext)")
            if ProcessInfo.processInfo.environment["TALLY_RECORD_GOLDEN"] == "1" { try Data(produced.utf8).write(to: url) }
            #expect(produced == (try String(contentsOf: url, encoding: .utf8)), "retry-needs-human.\(ext) differs from its golden file")
        }
    }

    @Test("live keys link to the live Dashboard, test keys under /test")
    func dashboardMode() {
        #expect(StripeDashboardLinks(liveMode: true).customer("cus_1") == "https://dashboard.stripe.com/customers/cus_1")
        #expect(StripeDashboardLinks(liveMode: false).meter("mtr_1") == "https://dashboard.stripe.com/test/billing/meters/mtr_1")
        #expect(StripeDashboardLinks(liveMode: false).invoice("in_1/../x") == "https://dashboard.stripe.com/test/invoices/in_1%2F%2E%2E%2Fx")
    }

    @Test("counts, numbers and percentages read right")
    func wording() {
        #expect(EmailWording.count(1, "row") == "1 row")
        #expect(EmailWording.count(4, "team") == "4 teams")
        #expect(EmailWording.count(1, "gap") == "1 gap")
        #expect(EmailWording.count(2, "discrepancy", "discrepancies") == "2 discrepancies")
        #expect(EmailWording.percent(0.879) == "87.9 %")
        #expect(EmailWording.number(-1_234_567) == "-1,234,567")
    }
}
