import Foundation
import Testing
import TallyTestKit
@testable import TallyCore

/// The reconcile alert as a digest across nights: what is new, what was resolved, what is still open, and
/// the full reminder after `RECONCILE_REMIND_DAYS`. Emails are pinned by golden files under Mail/Golden;
/// after a deliberate change regenerate them with `TALLY_RECORD_GOLDEN=1 swift test --filter AlertDigestTests`
/// and review the diff.
@Suite("Reconcile alert digest")
struct AlertDigestTests {
    static let meter = "mtr_tokens"
    static let names = ReconciliationAlert.Names(
        customers: ["cus_orphan": "Orphan Labs", "cus_acme": "Acme <b>& Co</b>", "cus_beta": "Beta", "cus_gamma": "Gamma"],
        teams: ["6": "Stark & Sons", "7": "Beta team", "8": "Gamma team"],
        meters: [meter: "AI tokens"],
        // Acme's November invoice, as tally-events stored it: Acme's rows link it; the others have none known.
        invoices: InvoiceLinks([KnownInvoice(invoiceID: "in_1AcmeNov", customerID: "cus_acme", number: "ACME-0011", status: "draft",
                                             periodStart: day(-29), periodEnd: day(1))]))

    static func day(_ n: Int) -> Date { Date(timeIntervalSince1970: 1_795_996_800 + Double(n) * 86_400) } // 2026-11-30 + n

    static func gap(_ kind: DiscrepancyKind, _ customer: String?, team: String?, day n: Int, local: Int64, stripe: Int64,
                    repair: DiscrepancyRepair, action: String) -> Discrepancy {
        Discrepancy(kind: kind, meterID: meter, customerID: customer, teamID: team, windowStart: day(n), windowEnd: day(n + 1),
                    localValue: local, stripeValue: stripe, difference: local - stripe, repair: repair, suggestedAction: action)
    }

    /// Orphan Labs on four days, Acme unreported on two, Beta extra in Stripe, one negative-tokens row.
    static func night1Gaps(through last: Int = -1) -> [Discrepancy] {
        (last - 3...last).map { gap(.unknownCustomer, "cus_orphan", team: nil, day: $0, local: 0, stripe: 1_200, repair: .human,
                                   action: "Stripe bills a customer no team has: check the customer in Stripe") }
            + [gap(.unreported, "cus_acme", team: "6", day: last - 1, local: 100, stripe: 0, repair: .retry, action: "run tally-retry"),
               gap(.unreported, "cus_acme", team: "6", day: last, local: 150, stripe: 0, repair: .retry, action: "run tally-retry"),
               gap(.extraInStripe, "cus_beta", team: "7", day: last, local: 10, stripe: 50, repair: .human,
                   action: "Stripe has more than the app: check for a double send"),
               Discrepancy(kind: .badRows, meterID: meter, customerID: nil, teamID: nil, windowStart: day(last - 3), windowEnd: day(last + 1),
                           localValue: 1, stripeValue: 0, difference: 1, repair: .human,
                           suggestedAction: "1 row with negative or missing tokens (id 42): fix or delete it in token_usage; never billed as is")]
    }

    static func outcome(_ gaps: [Discrepancy], night: Int) -> ReconciliationOutcome {
        var bad = BadUsageRows(negativeTokens: 1)
        bad.examples[.negativeTokens] = ["42"]
        let reconciliation = MeterReconciliation(meterID: meter, eventName: "tokens", formula: .sum, start: day(night - 4), end: day(night),
                                        customers: 4, localTotal: 5_100, stripeTotal: 9_900, discrepancies: gaps, badRows: bad)
        let range = ReconcileRange(requested: JobTimeRange(start: day(night - 4), end: day(night)), now: day(night).addingTimeInterval(7_800),
                                   settleDelay: 7_200)
        return ReconciliationOutcome(meters: [reconciliation], range: range, alertRatio: 0.05, finishedAt: day(night).addingTimeInterval(7_800))
    }

    /// One reconcile run at 02:10 on `night` against `ledger`; the ledger as the sent alert leaves it.
    static func run(_ gaps: [Discrepancy], night: Int, ledger: [AnnouncedProblem], minutes: Double = 130)
        -> (alert: ReconciliationAlert, ledger: [AnnouncedProblem]) {
        let outcome = outcome(gaps, night: night)
        let digest = ReconciliationAlert.digest(of: outcome, announced: ledger, now: day(night).addingTimeInterval(minutes * 60),
                                                remindDays: 7, names: names)
        let alert = ReconciliationAlert(outcome: outcome, digest: digest, names: names, links: StripeDashboardLinks(liveMode: false),
                                        csv: Data("kind\n".utf8))
        return (alert, digest.hasNews ? digest.ledger : ledger)
    }

    @Test("night 1: every problem is new, one row per customer and class with its days and total")
    func nightOneAllNew() throws {
        let (alert, ledger) = Self.run(Self.night1Gaps(), night: 0, ledger: [])
        #expect(alert.digest.new.count == 4)
        #expect(alert.digest.resolved.isEmpty && alert.digest.stillOpen.isEmpty)
        #expect(ledger.count == 4)
        let orphan = try #require(alert.digest.new.first { $0.customerID == "cus_orphan" })
        #expect(orphan.windows == 4 && orphan.difference == -4_800)
        #expect(alert.text.components(separatedBy: "Orphan Labs (cus_orphan)").count == 2)
        #expect(alert.text.contains("2026-11-26 to 2026-11-29, 4 windows"))
        #expect(alert.subject == "Tally: usage 2026-11-26 to 2026-11-29: 4 new problems; 3 need a person")
        #expect(alert.text.contains("Stark & Sons (6)"))
        #expect(alert.text.contains("AI tokens (mtr_tokens)"))
        #expect(alert.text.contains("1 row with negative or missing tokens"))
        #expect(alert.text.contains("local 1 row, Stripe 0 rows, difference 1 row."))
        #expect(alert.text.range(of: #"\b1 (rows|gaps|teams|problems|windows)\b"#, options: .regularExpression) == nil)
        #expect(alert.text.range(of: #"\([0-9]+\.[0-9] % of usage; the alert threshold is 5\.0 %\)"#, options: .regularExpression) != nil)
        #expect(alert.html.contains("href=\"https://dashboard.stripe.com/test/customers/cus_orphan\""))
        #expect(alert.html.contains("Acme &lt;b&gt;&amp; Co&lt;/b&gt;"))
        #expect(!alert.html.contains("<b>&"))
    }

    @Test("the run after tally-retry the same night says only what was resolved, and sends nothing when nothing changed")
    func sameNightSecondRun() {
        let first = Self.run(Self.night1Gaps(), night: 0, ledger: [])
        let repaired = Self.night1Gaps().filter { $0.customerID != "cus_acme" }
        let second = Self.run(repaired, night: 0, ledger: first.ledger, minutes: 200)
        #expect(second.alert.digest.hasNews)
        #expect(second.alert.digest.new.isEmpty)
        #expect(second.alert.digest.resolved.map(\.key) == ["mtr_tokens|unreported|cus_acme|6"])
        #expect(second.alert.digest.stillOpen.allSatisfy { !$0.inFull })
        #expect(second.alert.subject == "Tally: usage 2026-11-26 to 2026-11-29: 1 resolved, 3 still open; 3 need a person")
        #expect(!second.alert.html.contains(">Suggested action</th>"))

        let third = Self.run(repaired, night: 0, ledger: second.ledger, minutes: 230)
        #expect(!third.alert.digest.hasNews)
    }

    @Test("night 2: one resolved, one new, the others still open one line each with their age and not in full")
    func nightTwo() throws {
        let first = Self.run(Self.night1Gaps(), night: 0, ledger: [])
        let gamma = Self.gap(.lostAfterAck, "cus_gamma", team: "8", day: 0, local: 90, stripe: 0, repair: .human,
                             action: "acknowledged over 24 h ago: look the identifier up in Stripe")
        let gaps = Self.night1Gaps(through: 0).filter { $0.customerID != "cus_beta" } + [gamma]
        let (alert, ledger) = Self.run(gaps, night: 1, ledger: first.ledger)
        #expect(alert.digest.new.map(\.customerID) == ["cus_gamma"])
        #expect(alert.digest.resolved.map(\.key) == ["mtr_tokens|extra_in_stripe|cus_beta|7"])
        #expect(alert.digest.stillOpen.count == 3)
        #expect(alert.digest.reminded.isEmpty)
        #expect(alert.text.contains("open 1 day (since 2026-11-30)"))
        #expect(alert.text.contains("RESOLVED\n") && alert.text.contains("STILL OPEN\n") && alert.text.contains("NEW SINCE THE LAST ALERT\n"))
        #expect(ledger.count == 4)
        #expect(ledger.first { $0.key.contains("cus_orphan") }?.firstSeen == Self.day(0).addingTimeInterval(7_800))
        try Self.matchGolden(alert, name: "reconcile-night2")
    }

    @Test("night 8: unchanged open problems are sent in full again, and not on night 7")
    func nightEightReminder() {
        var ledger = Self.run(Self.night1Gaps(), night: 0, ledger: []).ledger
        for night in 1...6 {
            let run = Self.run(Self.night1Gaps(through: night - 1), night: night, ledger: ledger)
            #expect(!run.alert.digest.hasNews, "night \(night + 1) sent something")
            ledger = run.ledger
        }
        let eighth = Self.run(Self.night1Gaps(through: 6), night: 7, ledger: ledger)
        #expect(eighth.alert.digest.reminded.count == 4)
        #expect(eighth.alert.subject.contains("4 still open (reminder)"))
        #expect(eighth.alert.text.contains("in full again as a reminder (RECONCILE_REMIND_DAYS)"))
        #expect(eighth.ledger.allSatisfy { $0.announcedAt == Self.day(7).addingTimeInterval(7_800) })
    }

    @Test("a night with more new problems than the email lists names the rest as in the attached CSV, in both parts")
    func longNight() throws {
        let gaps = (0..<60).map { Self.gap(.unreported, "cus_\($0)", team: "\($0)", day: -1, local: 10, stripe: 0, repair: .retry, action: "run tally-retry") }
        let (alert, ledger) = Self.run(gaps, night: 0, ledger: [])
        #expect(ledger.count == 60)
        #expect(alert.text.components(separatedBy: "\n* ").count - 1 == ReconciliationAlert.listedRows)
        #expect(alert.text.contains("10 more problems in the attached reconciliation.csv."))
        #expect(alert.html.contains("10 more problems in the attached reconciliation.csv."))
        try StrictHTML.check(alert.html)
    }

    @Test("night 1 matches its golden text and HTML")
    func nightOneGolden() throws {
        try Self.matchGolden(Self.run(Self.night1Gaps(), night: 0, ledger: []).alert, name: "reconcile-night1")
    }

    @Test("every digest's HTML passes the strict HTML check")
    func strictHTML() throws {
        let first = Self.run(Self.night1Gaps(), night: 0, ledger: [])
        let second = Self.run(Self.night1Gaps().filter { $0.customerID != "cus_acme" }, night: 0, ledger: first.ledger)
        for alert in [first.alert, second.alert] { try StrictHTML.check(alert.html) }
    }

    @Test("the strict HTML check rejects an unclosed cell, a row outside a table and a heading inside a list")
    func strictCheckIsStrict() {
        let head = "<!DOCTYPE html>\n<html><head><title>t</title></head><body>"
        for broken in ["<table><tr><td>x</tr></table>", "<tr><td>x</td></tr>", "<ul><li><h2>x</h2></li></ul>",
                       "<p>a<p>b</p></p>", "<ul><li>- x</li></ul>", "<img src=\"https://example.com/x.png\" />"] {
            #expect(throws: StrictHTML.Problem.self, "accepted: \(broken)") { try StrictHTML.check(head + broken + "</body></html>") }
        }
    }

    static let goldenDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Mail/Golden", isDirectory: true)

    static func matchGolden(_ alert: ReconciliationAlert, name: String) throws {
        for (ext, produced) in [("txt", "Subject: \(alert.subject)\n\n" + alert.text), ("html", alert.html)] {
            let url = goldenDirectory.appendingPathComponent("\(name).\(ext)")
            if ProcessInfo.processInfo.environment["TALLY_RECORD_GOLDEN"] == "1" {
                try Data(produced.utf8).write(to: url)
            }
            let golden = try String(contentsOf: url, encoding: .utf8)
            #expect(produced == golden, "\(name).\(ext) differs from its golden file")
        }
    }
}

@Suite("Alert digest ledger store")
struct AlertDigestStoreTests {
    @Test("the ledger round-trips and is replaced whole", arguments: StoreBackendUnderTest.all)
    func roundTrip(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore { store, _ in
            let at = Date(timeIntervalSince1970: 1_795_996_800)
            let a = AnnouncedProblem(key: "m|unreported|cus_a|6", line: "Acme, team 6", total: 250, end: at, firstSeen: at, announcedAt: at)
            let b = AnnouncedProblem(key: "m|bad_rows|||negative", line: "bad rows", total: 1, end: at.addingTimeInterval(3_600), firstSeen: at, announcedAt: at.addingTimeInterval(86_400))
            try await store.replaceAnnouncedProblems([b, a])
            #expect(try await store.announcedProblems() == [b, a].sorted { $0.key < $1.key })
            try await store.replaceAnnouncedProblems([a])
            #expect(try await store.announcedProblems() == [a])
            try await store.replaceAnnouncedProblems([])
            #expect(try await store.announcedProblems().isEmpty)
        }
    }
}
