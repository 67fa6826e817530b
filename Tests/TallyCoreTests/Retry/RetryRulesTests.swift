import Foundation
import Testing
import TallyCore

/// The per-row safety rules, at their edges.
@Suite("Retry rules hold back what Stripe may reject or count twice")
struct RetryRulesTests {
    static let now = instant("2026-11-25T03:00:00Z")
    static let meter = try! JSONDecoder().decode(Meter.self, from: Data(#"{"id":"mtr_1","eventName":"tokens"}"#.utf8))

    static func candidate(age: TimeInterval, kind: DiscrepancyKind = .unreported, acknowledgedAgo: TimeInterval? = nil,
                          tokens: Int64 = 5) -> RetryCandidate {
        let row = UsageRow(id: "7", teamID: "1", stripeCustomerID: "cus_1", userID: nil, action: nil, tokens: tokens,
                           createdAt: now.addingTimeInterval(-age), meterEventIdentifier: nil,
                           reportedAt: acknowledgedAgo.map { now.addingTimeInterval(-$0) })
        return RetryCandidate(row: row, meter: meter, kind: kind)
    }

    @Test("usage 34 days 23 hours old is sent; 35 days 1 hour old needs a human")
    func thirtyFiveDays() {
        let rules = RetryRules(now: Self.now, settleDelay: 7_200)
        #expect(rules.verdict(for: Self.candidate(age: 34 * 86_400 + 23 * 3_600), existing: nil) == .send)
        guard case .needsHuman(let reason, let fix) = rules.verdict(for: Self.candidate(age: 35 * 86_400 + 3_600), existing: nil) else {
            Issue.record("not held back")
            return
        }
        #expect(reason.contains("35-day") && fix.contains("invoice item"))
    }

    @Test("a lost row acknowledged 23 hours ago is re-sent; 25 hours ago needs a human")
    func identifierWindow() {
        let rules = RetryRules(now: Self.now, settleDelay: 7_200)
        #expect(rules.verdict(for: Self.candidate(age: 23 * 3_600, kind: .lostAfterAck, acknowledgedAgo: 23 * 3_600), existing: nil) == .send)
        #expect(rules.verdict(for: Self.candidate(age: 25 * 3_600, kind: .lostAfterAck, acknowledgedAgo: 25 * 3_600), existing: nil)
            != .send)
    }

    @Test("a pending delivery tried over 24 hours ago is never re-sent; a sent one is settled")
    func staleAttempt() {
        let rules = RetryRules(now: Self.now, settleDelay: 7_200)
        let candidate = Self.candidate(age: 2 * 86_400)
        var existing = MeterEventDelivery(usageRowID: "7", identifier: candidate.identifier, customerID: "cus_1", eventName: "tokens",
                                          value: 5, eventTimestamp: candidate.row.createdAt, status: .pending, attempts: 1,
                                          createdAt: Self.now.addingTimeInterval(-25 * 3_600), updatedAt: Self.now)
        #expect(rules.verdict(for: candidate, existing: existing) != .send)
        existing.createdAt = Self.now.addingTimeInterval(-3_600)
        #expect(rules.verdict(for: candidate, existing: existing) == .send)
        existing.status = .sent
        #expect(rules.verdict(for: candidate, existing: existing) == .settled(.sent))
    }

    @Test("an unconfirmed delivery is re-sent within 24 hours of its first send and goes to a person after")
    func unconfirmedWindow() {
        let rules = RetryRules(now: Self.now, settleDelay: 7_200)
        let candidate = Self.candidate(age: 2 * 86_400)
        var existing = MeterEventDelivery(usageRowID: "7", identifier: candidate.identifier, customerID: "cus_1", eventName: "tokens",
                                          value: 5, eventTimestamp: candidate.row.createdAt, status: .unconfirmed, attempts: 1,
                                          createdAt: Self.now.addingTimeInterval(-23 * 3_600), updatedAt: Self.now)
        #expect(rules.verdict(for: candidate, existing: existing) == .send)
        existing.createdAt = Self.now.addingTimeInterval(-25 * 3_600)
        guard case .needsHuman(let reason, _) = rules.verdict(for: candidate, existing: existing) else {
            Issue.record("an unconfirmed send 25 hours old was not held for a person")
            return
        }
        #expect(reason.contains("24 h"))
    }

    @Test("a row younger than RECONCILE_SETTLE_MINUTES is never sent, even when a reconciliation named it")
    func settleDelay() {
        let rules = RetryRules(now: Self.now, settleDelay: 7_200)
        // 18 minutes old: the app may still be sending it under its own identifier.
        guard case .holdBack(let reason) = rules.verdict(for: Self.candidate(age: 18 * 60), existing: nil) else {
            Issue.record("an 18-minute-old row was not held back")
            return
        }
        #expect(reason.contains("RECONCILE_SETTLE_MINUTES"))
        #expect(rules.verdict(for: Self.candidate(age: 7_201), existing: nil) == .send)
    }

    @Test("a value Stripe rejects is never sent", arguments: [Int64(-1), 1_000_000_000_000_000, 9_007_199_254_740_993, .max])
    func unsendableValues(tokens: Int64) {
        let rules = RetryRules(now: Self.now, settleDelay: 7_200)
        let verdict = rules.verdict(for: Self.candidate(age: 86_400, tokens: tokens), existing: nil)
        #expect(verdict != .send, "tokens \(tokens) would be sent")
        #expect(rules.verdict(for: Self.candidate(age: 86_400, tokens: 999_999_999_999_999), existing: nil) == .send)
    }
}
