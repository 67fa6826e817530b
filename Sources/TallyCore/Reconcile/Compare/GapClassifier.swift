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
    public var aggregation: MeterAggregation
    public var now: Date

    public var formula: MeterFormula { aggregation.formula }

    public init(meterID: String, aggregation: MeterAggregation, now: Date) {
        self.meterID = meterID
        self.aggregation = aggregation
        self.now = now
    }

    /// A classifier for a raw meter.
    public init(meterID: String, formula: MeterFormula, now: Date) {
        self.init(meterID: meterID, aggregation: MeterAggregation(formula: formula), now: now)
    }

    /// The discrepancies of one window of one customer; empty when both sides agree.
    public func classify(customerID: String, teamID: String?, start: Date, end: Date, rows: [UsageRow],
                         stripeValue: Int64) -> [Discrepancy] {
        if aggregation.isPreAggregated {
            return classifyWindow(customerID: customerID, teamID: teamID, start: start, end: end, rows: rows, stripeValue: stripeValue)
        }
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

    /// A pre-aggregated meter's window: Stripe keeps only its newest event, so re-sending one row would
    /// replace the window's value rather than add to it. The repair is one new event carrying the window's
    /// whole local value (new identifier, timestamp inside the window), which mends a shortfall and, for
    /// `sum` and `last`, an over-count too, at any age within Stripe's 35 days.
    func classifyWindow(customerID: String, teamID: String?, start: Date, end: Date, rows: [UsageRow],
                        stripeValue: Int64) -> [Discrepancy] {
        let localValue = aggregation.value(of: rows)
        guard localValue != stripeValue, let window = aggregation.window else { return [] }
        let withinTimestampLimit = start >= now.addingTimeInterval(-Self.stripeTimestampLimit)
        let kind: DiscrepancyKind
        if formula == .last {
            // Stripe's value is its newest event's: one of the app's values means the window's latest row
            // is missing there; any other value came from an event the app has no row for.
            // (A summary of 0 is read as no event: a window's value cannot tell them apart.)
            kind = Self.lastKind(rows: rows, stripeValue: stripeValue == 0 ? nil : stripeValue)
        } else {
            kind = localValue < stripeValue ? .extraInStripe
                : rows.contains { $0.reportedAt == nil } ? .unreported : .lostAfterAck
        }
        // Stripe's surplus can be overwritten by the app's value, except a counted window the app has no
        // usage in (a count meter counts any event) or a `last` window with nothing to put in its place.
        let overwritable = kind != .extraInStripe || formula == .sum || (formula == .last && !rows.isEmpty)
        let repair: DiscrepancyRepair
        let action: String
        if !withinTimestampLimit {
            (repair, action) = (.human, kind == .extraInStripe
                ? "over-billing in a window older than Stripe's 35 days: credit the customer"
                : "older than Stripe's 35-day limit for meter events: bill it with an invoice item")
        } else if !overwritable {
            (repair, action) = (.human, "Stripe counts a \(window.rawValue) window the app has no usage in: find the event's sender; credit the customer")
        } else {
            (repair, action) = (.retry, "tally-retry re-sends the \(window.rawValue)'s whole value (\(aggregation.windowEventValue(of: rows))) under a new identifier; Stripe keeps only the newest event of each \(window.rawValue)")
        }
        return [Discrepancy(kind: kind, meterID: meterID, customerID: customerID, teamID: teamID, windowStart: start,
                            windowEnd: end, localValue: localValue, stripeValue: stripeValue,
                            difference: localValue - stripeValue, repair: repair, suggestedAction: action,
                            usageRowIDs: rows.map(\.id))]
    }

    /// One hour of a `last` meter. `stripeValue` is nil when Stripe has no event in the hour; `dayEffect` is
    /// what this hour changes in the day's billed value (the app's day value minus Stripe's: non-zero only
    /// for the day's latest hour on either side), which is the finding's difference and what the totals add.
    func classifyLastHour(customerID: String, teamID: String?, start: Date, end: Date, rows: [UsageRow], stripeValue: Int64?,
                          dayEffect: Int64, dayLocal: Int64, dayStripe: Int64) -> Discrepancy {
        let billed = dayEffect == 0
            ? "the day's billed value is unchanged (\(dayStripe))"
            : "Stripe bills \(abs(dayEffect)) \(dayEffect < 0 ? "more" : "less") than the app's usage for the day (\(dayStripe) instead of \(dayLocal))"
        let kind = Self.lastKind(rows: rows, stripeValue: stripeValue)
        guard let latest = rows.last, kind != .extraInStripe || aggregation.isPreAggregated else {
            return Discrepancy(kind: .extraInStripe, meterID: meterID, customerID: customerID, teamID: teamID, windowStart: start,
                               windowEnd: end, localValue: rows.last?.tokens ?? 0, stripeValue: stripeValue ?? 0, difference: dayEffect,
                               repair: .human,
                               suggestedAction: "\(billed): Stripe's last value in this hour comes from an event the app has no row for; find its sender, credit the customer",
                               usageRowIDs: [])
        }
        let (repair, action): (DiscrepancyRepair, String)
        if aggregation.isPreAggregated {
            (repair, action) = start >= now.addingTimeInterval(-Self.stripeTimestampLimit)
                ? (.retry, "tally-retry re-sends the hour's last value (\(latest.tokens)) under a new identifier")
                : (.human, "older than Stripe's 35-day limit for meter events: correct it on the invoice")
        } else {
            let (decided, how) = decide(kind, start: start, rows: [latest])
            (repair, action) = (decided, decided == .retry ? "tally-retry re-sends the hour's last row (\(latest.tokens)) with its stable identifier" : how)
        }
        return Discrepancy(kind: kind, meterID: meterID, customerID: customerID, teamID: teamID, windowStart: start, windowEnd: end,
                           localValue: latest.tokens, stripeValue: stripeValue ?? 0, difference: dayEffect, repair: repair,
                           suggestedAction: "\(billed); \(action)",
                           usageRowIDs: aggregation.isPreAggregated ? rows.map(\.id) : [latest.id])
    }

    /// Stripe usage of a customer no team names, over one day's judged segment.
    func unknownCustomer(_ customerID: String, segment: (start: Date, end: Date), stripeValue: Int64) -> Discrepancy {
        let (repair, action) = decide(.unknownCustomer, start: segment.start, rows: [])
        return Discrepancy(kind: .unknownCustomer, meterID: meterID, customerID: customerID, teamID: nil,
                           windowStart: segment.start, windowEnd: segment.end, localValue: 0, stripeValue: stripeValue,
                           difference: -stripeValue, repair: repair, suggestedAction: action)
    }

    /// The class of a `last` window whose values differ: Stripe showing one of the app's values (or none)
    /// lacks the latest row; Stripe showing a value no row has counted an event the app never recorded.
    static func lastKind(rows: [UsageRow], stripeValue: Int64?) -> DiscrepancyKind {
        if let stripeValue, !rows.contains(where: { $0.tokens == stripeValue }) { return .extraInStripe }
        guard let latest = rows.last else { return .extraInStripe }
        return latest.reportedAt == nil ? .unreported : .lostAfterAck
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
