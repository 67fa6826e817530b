import Foundation

/// Decides, row by row, whether a re-send is safe: the only place Stripe's time limits are applied to
/// re-sends, so Tally never sends what Stripe may count twice or reject.
public struct RetryRules: Sendable {
    /// What to do with one candidate.
    public enum Verdict: Sendable, Equatable {
        /// Send (again) with the row's identifier.
        case send
        /// Already settled in an earlier run: nothing to do.
        case settled(MeterEventDeliveryStatus)
        /// Hold back for a person, with the reason and the suggested fix.
        case needsHuman(reason: String, fix: String)
        /// Not yet: the row is younger than the settle delay, or its value cannot be sent; a later run decides.
        case holdBack(reason: String)
    }

    public static let invoiceItemFix = "add an invoice item for this usage on the customer's next invoice"
    public static let checkFirstFix = "look the identifier up in Stripe: if the event is missing add an invoice item, never re-send it"

    public var now: Date
    /// `RECONCILE_SETTLE_MINUTES`: the app may still be sending anything younger.
    public var settleDelay: TimeInterval

    public init(now: Date, settleDelay: TimeInterval) {
        self.now = now
        self.settleDelay = settleDelay
    }

    /// The verdict for `candidate`, given the delivery stored for its identifier (if any).
    public func verdict(for candidate: RetryCandidate, existing: MeterEventDelivery?) -> Verdict {
        if let existing {
            switch existing.status {
            case .sent, .cancelled, .failed, .rejected:
                return .settled(existing.status)
            case .needsHuman:
                return .needsHuman(reason: existing.lastError ?? "held back by an earlier run", fix: Self.checkFirstFix)
            case .pending, .unconfirmed:
                // An attempt that got no clear answer may have been counted (rows Stripe's summaries show
                // present were settled before this verdict); once Stripe's 24 h identifier window has passed,
                // a re-send could count it twice. Within it, a re-send under a new key is deduplicated.
                if existing.status == .unconfirmed || existing.attempts > 0,
                   existing.createdAt < now.addingTimeInterval(-GapClassifier.identifierWindow) {
                    return .needsHuman(reason: "first sent over 24 h ago without a clear answer; Stripe no longer deduplicates its identifier",
                                       fix: Self.checkFirstFix)
                }
            }
        }
        // Never sent: a value Stripe would reject or Tally cannot represent exactly, or a row the app may
        // still be sending under its own identifier.
        guard candidate.row.isBillable else {
            return .holdBack(reason: "not billable as recorded (no team or customer, or tokens Stripe rejects)")
        }
        if candidate.row.createdAt > now.addingTimeInterval(-settleDelay) {
            return .holdBack(reason: "younger than RECONCILE_SETTLE_MINUTES: the app may still be sending it")
        }
        if let reason = candidate.humanReason {
            return .needsHuman(reason: reason, fix: candidate.kind == .lostAfterAck ? Self.checkFirstFix : Self.invoiceItemFix)
        }
        // Stripe rejects meter events more than 35 days in the past.
        if candidate.row.createdAt < now.addingTimeInterval(-GapClassifier.stripeTimestampLimit) {
            return .needsHuman(reason: "older than Stripe's 35-day limit for meter events", fix: Self.invoiceItemFix)
        }
        if candidate.kind == .lostAfterAck,
           (candidate.row.reportedAt ?? .distantPast) < now.addingTimeInterval(-GapClassifier.identifierWindow) {
            return .needsHuman(reason: "acknowledged by Stripe over 24 h ago; a re-send may be counted twice",
                               fix: Self.checkFirstFix)
        }
        return .send
    }
}
