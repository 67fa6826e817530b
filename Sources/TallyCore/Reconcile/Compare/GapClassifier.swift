import Foundation

/// Turns a pinned window (local rows against Stripe's value) into classified discrepancies, and decides
/// what `tally-retry` may repair.
public struct GapClassifier: Sendable {
    /// Stripe rejects meter events older than 35 days, so older usage can only be billed by hand.
    public static let stripeTimestampLimit: TimeInterval = 35 * 86_400
    /// Stripe deduplicates an identifier for a rolling period of at least 24 hours; after that a re-send
    /// of an event Stripe did receive may be counted twice.
    public static let identifierWindow: TimeInterval = 24 * 3_600

    public var meterID: String
    public var formula: MeterFormula
    public var now: Date

    public init(meterID: String, formula: MeterFormula, now: Date) {
        self.meterID = meterID
        self.formula = formula
        self.now = now
    }

    /// The discrepancies of one window of one customer; empty when both sides agree.
    public func classify(customerID: String, teamID: String?, start: Date, end: Date, rows: [UsageRow],
                         stripeValue: Int64) -> [Discrepancy] {
        let localValue = formula.value(of: rows)
        guard localValue != stripeValue else { return [] }
        func make(_ kind: DiscrepancyKind, _ difference: Int64, _ involved: [UsageRow]) -> Discrepancy {
            let (repair, action) = decide(kind, start: start, rows: involved)
            return Discrepancy(kind: kind, meterID: meterID, customerID: customerID, teamID: teamID,
                               windowStart: start, windowEnd: end, localValue: localValue, stripeValue: stripeValue,
                               difference: difference, repair: repair, suggestedAction: action,
                               usageRowIDs: involved.map(\.id))
        }
        let unreported = rows.filter { $0.reportedAt == nil }
        let acknowledged = rows.filter { $0.reportedAt != nil }
        if formula == .last {
            // The latest row sets the value: re-sending it is the repair.
            guard let latest = rows.last else { return [make(.extraInStripe, localValue - stripeValue, [])] }
            return [make(latest.reportedAt == nil ? .unreported : .lostAfterAck, localValue - stripeValue, [latest])]
        }
        guard stripeValue < localValue else {
            return [make(.extraInStripe, localValue - stripeValue, [])]
        }
        // Stripe lacks part of the window: rows never acknowledged explain it first, acknowledged ones the rest.
        let missing = localValue - stripeValue
        let explainedByUnreported = min(missing, formula.value(of: unreported))
        var result: [Discrepancy] = []
        if explainedByUnreported > 0 { result.append(make(.unreported, explainedByUnreported, unreported)) }
        if missing > explainedByUnreported {
            result.append(make(.lostAfterAck, missing - explainedByUnreported, acknowledged))
        }
        return result
    }

    /// Who repairs a gap of `kind` starting at `start`, and the sentence saying how.
    public func decide(_ kind: DiscrepancyKind, start: Date, rows: [UsageRow]) -> (DiscrepancyRepair, String) {
        let withinTimestampLimit = start >= now.addingTimeInterval(-Self.stripeTimestampLimit)
        switch kind {
        case .unreported:
            return withinTimestampLimit
                ? (.retry, "tally-retry re-sends \(Self.rows(rows.count)) with stable identifiers")
                : (.human, "older than Stripe's 35-day limit for meter events: bill it with an invoice item")
        case .lostAfterAck:
            let recentlyAcknowledged = rows.allSatisfy { ($0.reportedAt ?? .distantPast) >= now.addingTimeInterval(-Self.identifierWindow) }
            if !withinTimestampLimit {
                return (.human, "older than Stripe's 35-day limit for meter events: bill it with an invoice item")
            }
            return recentlyAcknowledged
                ? (.retry, "tally-retry re-sends \(Self.rows(rows.count)); Stripe still deduplicates their identifiers (24 h)")
                : (.human, "acknowledged over 24 h ago: check these events in Stripe before re-sending, a re-send may count twice")
        case .extraInStripe:
            return (.human, "over-billing risk: find the duplicate events; cancel them within 24 h of receipt or credit the customer")
        case .unknownCustomer:
            return (.human, "no team has this Stripe customer: set teams.stripe_customer_id or cancel the subscription")
        case .missingCustomer:
            return (.human, "this team's usage is never billed: create its Stripe customer and subscription, then run tally-retry")
        case .badRows:
            return (.human, "fix or delete these token_usage rows: they are never billed")
        }
    }

    static func rows(_ count: Int) -> String { count == 1 ? "1 usage row" : "\(count) usage rows" }
}
