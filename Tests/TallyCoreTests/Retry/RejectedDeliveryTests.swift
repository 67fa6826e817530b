import Foundation
import Testing
@testable import TallyCore

/// A delivery a meter error report rejected (`rejected`) is Stripe's final word: re-sending the same event
/// would be rejected again, so `tally-retry` settles it instead of sending.
@Suite("Rejected deliveries")
struct RejectedDeliveryTests {
    @Test("a delivery Stripe reported invalid after accepting it is settled, never re-sent")
    func rejectedIsSettled() {
        let now = RetryRulesTests.now
        let rules = RetryRules(now: now, settleDelay: 7_200)
        let candidate = RetryRulesTests.candidate(age: 86_400)
        let existing = MeterEventDelivery(usageRowID: "7", identifier: candidate.identifier, customerID: "cus_1", eventName: "tokens",
                                          value: 5, eventTimestamp: candidate.row.createdAt, status: .rejected, attempts: 1,
                                          createdAt: now.addingTimeInterval(-3_600), updatedAt: now)
        #expect(rules.verdict(for: candidate, existing: existing) == .settled(.rejected))
    }
}
