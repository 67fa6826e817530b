import Foundation
import Testing
import TallyTestKit
@testable import TallyCore

/// Every email Tally sends, pinned text and HTML by golden files under Mail/Golden, with fixed clocks and
/// names: the usage notices at each level a team is emailed at, the blocked-team ops email, the events
/// dead-letter email and the five billing emails. After a deliberate change regenerate them with
/// `TALLY_RECORD_GOLDEN=1 swift test --filter EmailGoldenTests` and review the diff.
@Suite("Email golden files")
struct EmailGoldenTests {
    /// 2026-11-01T00:00:00Z, the start of the billing period the notices speak of.
    static let periodStart = Date(timeIntervalSince1970: 1_793_491_200)
    static let periodEnd = Date(timeIntervalSince1970: 1_796_083_200)
    static let sentAt = Date(timeIntervalSince1970: 1_795_996_800 + 7_800)
    static let from = EmailAddress(name: "Tally", address: "tally@example.com")
    static let owner = EmailAddress(address: "owner@stark.example")

    /// The notice levels a team is emailed at (`info` is in-app only): a name, the level, used tokens of
    /// 1,000,000, and the day the projection reaches the limit, if any.
    static let notices: [(name: String, level: UsageLevel, threshold: Double, used: Int64, projected: Date?)] = [
        ("usage-warning", .warning, 0.8, 812_345, nil),
        ("usage-warning-projected", .warning, 0.8, 879_000, Date(timeIntervalSince1970: 1_795_500_000)),
        ("usage-urgent", .urgent, 0.95, 951_200, Date(timeIntervalSince1970: 1_795_700_000)),
        ("usage-limit", .limit, 1, 1_000_000, nil),
    ]

    static func notice(_ index: Int) -> UsageNotice {
        let n = notices[index]
        return UsageNotice(teamID: "6", teamName: "Stark & Sons", threshold: n.threshold, level: n.level, used: n.used,
                           allowance: 1_000_000, period: TeamBillingPeriod(teamID: "6", start: periodStart, end: periodEnd),
                           projectedLimitAt: n.projected)
    }

    @Test("each usage notice a team is emailed matches its golden text and HTML", arguments: 0..<notices.count)
    func usageNotice(index: Int) throws {
        let templates = try AlertTemplateSet()
        let values = Self.notice(index).templateValues
        try Self.match(name: Self.notices[index].name, subject: LiveUsageNotifier.subjectLine(try templates.subject.render(values)),
                       text: try templates.text.render(values), html: try templates.html.render(values))
    }

    @Test("the blocked-team ops email matches its golden text and HTML")
    func opsBlocked() throws {
        let templates = try AlertTemplateSet()
        let values = Self.notice(Self.notices.firstIndex { $0.level == .limit }!).templateValues
        try Self.match(name: "usage-blocked-ops", subject: LiveUsageNotifier.subjectLine(try templates.opsSubject.render(values)),
                       text: try templates.opsText.render(values), html: try templates.opsHTML.render(values))
    }

    @Test("the events dead-letter email matches its golden text and HTML")
    func deadLetter() throws {
        let entries = [
            EventQueueEntry(eventID: "evt_1QxDeadA", status: .dead, retryCount: 5,
                            lastError: "subscription_items: customer cus_gone has no team"),
            EventQueueEntry(eventID: "evt_1QxDeadB", status: .dead, retryCount: 5, lastError: nil),
        ]
        let message = try #require(DeadLetterAlert(deadLettered: entries).message(
            opsMail: OpsMail(recipients: [EmailAddress(address: "ops@example.com")], sender: Self.from), now: Self.sentAt))
        try Self.match(name: "events-dead-letter", subject: message.subject, text: message.textBody, html: try #require(message.htmlBody))
    }

    /// Each billing email with the values its handler fills in, for team Stark & Sons.
    static let billing: [(kind: BillingEmailKind, values: [String: String], lines: [[String: String]])] = [
        (.paymentFailed, ["team": "Stark & Sons", "team_id": "6", "amount": BillingText.amount(104_827, "jpy"),
                          "invoice_number": "STARK-0012", "invoice_url": "https://invoice.stripe.com/i/acct_1Tally/test_YWNjdF8x",
                          "next_attempt": BillingText.day(Date(timeIntervalSince1970: 1_796_256_000)), "attempt_count": "1"], []),
        (.invoiceUpcoming, ["team": "Stark & Sons", "team_id": "6", "amount": BillingText.amount(642_750, "usd"),
                            "usage_cost": BillingText.amount(542_750, "usd"), "charge_date": BillingText.day(periodEnd),
                            "period_start": BillingText.day(periodStart), "period_end": BillingText.day(periodEnd)], []),
        (.trialEnding, ["team": "Stark & Sons", "team_id": "6",
                        "trial_end": BillingText.day(Date(timeIntervalSince1970: 1_796_256_000))], []),
        (.paymentMethodMissing, ["team": "Stark & Sons", "team_id": "6", "payment_method": "visa ending 4242"], []),
        (.meterErrors, ["event_type": "v1.billing.meter.error_report_triggered", "event_id": "evt_test_65R4meterErr",
                        "meter": "mtr_test_61Tokens", "error_count": "3", "window_start": "2026-11-29T01:00:00Z",
                        "window_end": "2026-11-29T02:00:00Z", "rows_matched": "2"],
         [["code": "meter_event_customer_not_found", "count": "2",
           "samples": "tally-981 → token_usage row 981; tally-982 → token_usage row 982"],
          ["code": "meter_event_value_not_found", "count": "1", "samples": "none given"]]),
    ]

    @Test("each billing email matches its golden text and HTML", arguments: 0..<billing.count)
    func billingEmail(index: Int) throws {
        let email = Self.billing[index]
        let message = try BillingEmailTemplates().message(email.kind, values: email.values, lines: email.lines, from: Self.from,
                                                          to: [Self.owner], date: Self.sentAt)
        try Self.match(name: "billing-\(email.kind.rawValue)", subject: message.subject, text: message.textBody,
                       html: try #require(message.htmlBody))
    }

    @Test("every billing email kind has a golden case")
    func everyBillingKind() {
        #expect(Set(Self.billing.map(\.kind)) == Set(BillingEmailKind.allCases))
    }

    /// Compares the subject and text (one file) and the HTML (another) with `Golden/<name>.txt|html`;
    /// `TALLY_RECORD_GOLDEN=1` writes them first.
    static func match(name: String, subject: String, text: String, html: String) throws {
        for (ext, produced) in [("txt", "Subject: \(subject)\n\n" + text), ("html", html)] {
            let url = AlertDigestTests.goldenDirectory.appendingPathComponent("\(name).\(ext)")
            if ProcessInfo.processInfo.environment["TALLY_RECORD_GOLDEN"] == "1" {
                try Data(produced.utf8).write(to: url)
            }
            let golden = try String(contentsOf: url, encoding: .utf8)
            #expect(produced == golden, "\(name).\(ext) differs from its golden file")
        }
        try StrictHTML.check(html)
    }
}
