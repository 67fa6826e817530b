import Foundation

/// The discrepancies of one customer, team, meter and class taken together: one line for four days of
/// the same gap instead of four identical rows, with the days it spans and its total.
public struct ProblemGroup: Sendable, Equatable {
    public var kind: DiscrepancyKind
    public var meterID: String
    public var customerID: String?
    public var teamID: String?
    public var repair: DiscrepancyRepair
    /// Earliest window start (inclusive).
    public var start: Date
    /// Latest window end (exclusive).
    public var end: Date
    public var localValue: Int64
    public var stripeValue: Int64
    /// Sum of the differences (local - Stripe); rows, not tokens, for bad rows.
    public var difference: Int64
    /// How many windows (usually days) it gathers.
    public var windows: Int
    /// What to do: the first discrepancy's action (the others say the same of another day).
    public var action: String

    /// Identifies the problem across runs for the digest ledger. A bad-row group is one kind of bad row,
    /// told apart by the reason its action names ("3 rows with negative tokens (ids …): …").
    public var key: String {
        var parts = [meterID, kind.rawValue, customerID ?? "", teamID ?? ""]
        if kind == .badRows { parts.append(Self.badRowReason(action)) }
        return parts.joined(separator: "|")
    }

    /// Groups `discrepancies`, largest absolute total first, then by key for a stable order.
    public static func groups(_ discrepancies: [Discrepancy]) -> [ProblemGroup] {
        var groups: [String: ProblemGroup] = [:]
        var order: [String] = []
        for d in discrepancies {
            let group = ProblemGroup(kind: d.kind, meterID: d.meterID, customerID: d.customerID, teamID: d.teamID,
                                     repair: d.repair, start: d.windowStart, end: d.windowEnd, localValue: d.localValue,
                                     stripeValue: d.stripeValue, difference: d.difference, windows: 1, action: d.suggestedAction)
            let key = group.key
            guard var existing = groups[key] else {
                groups[key] = group
                order.append(key)
                continue
            }
            existing.start = min(existing.start, d.windowStart)
            existing.end = max(existing.end, d.windowEnd)
            existing.localValue += d.localValue
            existing.stripeValue += d.stripeValue
            existing.difference += d.difference
            existing.windows += 1
            // One that a person must look at makes the whole group one.
            if d.repair == .human { existing.repair = .human }
            groups[key] = existing
        }
        return order.compactMap { groups[$0] }.sorted {
            abs($0.difference) != abs($1.difference) ? abs($0.difference) > abs($1.difference) : $0.key < $1.key
        }
    }

    /// `negative tokens` out of `3 rows with negative tokens (ids 1, 2): fix …`.
    static func badRowReason(_ action: String) -> String {
        guard let with = action.range(of: " with ") else { return action }
        let rest = action[with.upperBound...]
        let stop = [rest.range(of: " (")?.lowerBound, rest.range(of: ":")?.lowerBound].compactMap { $0 }.min() ?? rest.endIndex
        return String(rest[..<stop])
    }
}
