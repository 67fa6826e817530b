import Foundation
import Testing
import TallyCore

@Suite("Reconciliation building blocks")
struct ReconcileUnitTests {
    @Test("the default range is the last complete UTC day plus the lookback days")
    func defaultRange() {
        let range = ReconcileRange.defaultRange(now: instant("2026-11-25T03:00:00Z"), lookbackDays: 3)
        #expect(range == JobTimeRange(start: instant("2026-11-21T00:00:00Z"), end: instant("2026-11-25T00:00:00Z")))
    }

    @Test("a range is widened to whole hours at the start and cut at the settled hour at the end")
    func clipsToSettledHours() {
        let requested = JobTimeRange(start: instant("2026-11-22T10:30:00Z"), end: instant("2026-11-25T00:00:00Z"))
        let range = ReconcileRange(requested: requested, now: instant("2026-11-24T15:45:00Z"), settleDelay: 7_200)
        #expect(range.start == instant("2026-11-22T10:00:00Z"))
        #expect(range.end == instant("2026-11-24T13:00:00Z"))
        #expect(range.wholeDays?.start == instant("2026-11-23T00:00:00Z") && range.wholeDays?.end == instant("2026-11-24T00:00:00Z"))
        #expect(range.partialDays.map(\.start) == [instant("2026-11-22T10:00:00Z"), instant("2026-11-24T00:00:00Z")])
        #expect(range.days.count == 3)
    }

    @Test("nothing is judged when all of the range is younger than the settle delay")
    func nothingSettled() {
        let requested = JobTimeRange(start: instant("2026-11-24T12:00:00Z"), end: instant("2026-11-24T14:00:00Z"))
        #expect(ReconcileRange(requested: requested, now: instant("2026-11-24T14:30:00Z"), settleDelay: 7_200).isEmpty)
    }

    @Test("a row's identifier is the app's own, else tu_ and its id")
    func identifiers() {
        var row = UsageRow(id: "42", teamID: "1", stripeCustomerID: "cus_1", userID: nil, action: nil, tokens: 1,
                           createdAt: Date(timeIntervalSince1970: 0), meterEventIdentifier: nil, reportedAt: nil)
        #expect(MeterEventIdentifier.forRow(row) == "tu_42")
        row.meterEventIdentifier = "app-1-2"
        #expect(MeterEventIdentifier.forRow(row) == "app-1-2")
        row.meterEventIdentifier = String(repeating: "x", count: 101)  // longer than Stripe accepts
        #expect(MeterEventIdentifier.forRow(row) == "tu_42")
    }

    @Test("a shortfall is explained by unreported rows first, the rest is lost after acknowledgement")
    func splitsShortfall() {
        let now = instant("2026-11-25T03:00:00Z")
        let at = instant("2026-11-24T10:00:00Z")
        let rows = [
            UsageRow(id: "1", teamID: "1", stripeCustomerID: "cus_1", userID: nil, action: nil, tokens: 30, createdAt: at, meterEventIdentifier: nil, reportedAt: nil),
            UsageRow(id: "2", teamID: "1", stripeCustomerID: "cus_1", userID: nil, action: nil, tokens: 50, createdAt: at, meterEventIdentifier: nil, reportedAt: instant("2026-11-20T10:00:00Z")),
        ]
        let found = GapClassifier(meterID: "mtr_1", formula: .sum, now: now)
            .classify(customerID: "cus_1", teamID: "1", start: at, end: at.addingTimeInterval(60), rows: rows, stripeValue: 10)
        #expect(found.map(\.kind) == [.unreported, .lostAfterAck])
        #expect(found.map(\.difference) == [30, 40])
        #expect(found.map(\.usageRowIDs) == [["1"], ["2"]])
        // Acknowledged days ago: a re-send may count twice, so a person decides.
        #expect(found.map(\.repair) == [.retry, .human])
    }

    @Test("usage older than Stripe's 35 days cannot be re-sent")
    func beyondTimestampLimit() {
        let classifier = GapClassifier(meterID: "mtr_1", formula: .sum, now: instant("2026-11-25T03:00:00Z"))
        #expect(classifier.decide(.unreported, start: instant("2026-10-01T00:00:00Z"), rows: []).0 == .human)
        #expect(classifier.decide(.unreported, start: instant("2026-11-01T00:00:00Z"), rows: []).0 == .retry)
    }

    @Test("HTML escaping leaves no markup from a hostile name")
    func escapesHTML() {
        #expect(HTMLText.escape(#"<script>alert("x")</script> & 'co'"#)
            == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;")
    }
}
