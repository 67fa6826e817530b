import Foundation
import Testing
import TallyTestKit
@testable import TallyCore

/// The billing emails (issue 15) through the same strict HTML check as every other template, with a hostile
/// value in every slot: their HTML renders everywhere and nothing a payload carries becomes markup.
@Suite("Billing email HTML")
struct BillingEmailHTMLTests {
    static let names = ["team", "amount", "next_attempt", "trial_end", "event_type", "error_count", "charge_date",
                        "window_start", "window_end", "usage_cost", "samples", "rows_matched", "period_start", "period_end",
                        "payment_method", "meter", "invoice_url", "invoice_number", "event_id", "count", "code"]

    @Test("every billing email's HTML passes the strict check, turns no value into markup and says every sentence its text says",
          arguments: BillingEmailKind.allCases)
    func strict(kind: BillingEmailKind) throws {
        var values = Dictionary(uniqueKeysWithValues: Self.names.map { ($0, EmailHTMLTests.hostile) })
        values["invoice_url"] = "https://invoice.stripe.com/i/acct_1/test_1"
        let message = try BillingEmailTemplates().message(
            kind, values: values, lines: [values, values], from: EmailAddress(address: "tally@example.test"),
            to: [EmailAddress(address: "ann@example.test")], date: Date(timeIntervalSince1970: 1_793_491_200))
        let html = try #require(message.htmlBody)
        try StrictHTML.check(html)
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;"))
        // Sentences of the text part (the sign-off's "-- " and the list markers are text conventions).
        let words = EmailHTMLTests.words(html)
        let sentences = EmailHTMLTests.words(message.textBody.replacingOccurrences(of: "-- ", with: "")
                                                 .replacingOccurrences(of: "\n- ", with: "\n"), markup: false)
            .components(separatedBy: ". ").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: ". ")) }.filter { !$0.isEmpty }
        #expect(!sentences.isEmpty)
        for sentence in sentences {
            #expect(words.contains(sentence), "the HTML part leaves out: \(sentence)")
        }
    }
}
