import Foundation

/// One customer's comparison over the judged range: each day's window, and the classified gaps of the
/// days that differ (drilled down first, unless no team knows the customer).
struct CustomerComparison: Sendable {
    var customerID: String
    var windows: [ReconciliationWindow] = []
    var discrepancies: [Discrepancy] = []

    /// The day and partial-day windows: the customer's side of the daily totals.
    var dayWindows: [ReconciliationWindow] {
        windows.filter { $0.granularity == .day || $0.granularity == .partialDay }
    }

    /// Compares `customer`, whose local days are `local` (empty when it had no usage in range).
    static func compare(customer: String, teamID: String?, local: [Date: DailyUsage], isUnknown: Bool,
                        reconciler: MeterReconciler) async throws -> CustomerComparison {
        let meterID = reconciler.meter.id
        let formula = reconciler.formula
        let range = reconciler.range
        let classifier = GapClassifier(meterID: meterID, formula: formula, now: reconciler.now)
        var result = CustomerComparison(customerID: customer)
        let stripeByDay = try await reconciler.stripeValues(customer: customer)
        for day in range.days {
            let segment = range.segment(of: day)
            let localValue = local[day].map(formula.value(of:)) ?? 0
            let stripeValue = stripeByDay[day] ?? 0
            let isWholeDay = segment.end.timeIntervalSince(segment.start) == 86_400
            result.windows.append(ReconciliationWindow(
                meterID: meterID, customerID: customer, teamID: teamID, start: segment.start, end: segment.end,
                localValue: localValue, stripeValue: stripeValue, granularity: isWholeDay ? .day : .partialDay))
            guard localValue != stripeValue else { continue }
            if isUnknown {
                let (repair, action) = classifier.decide(.unknownCustomer, start: segment.start, rows: [])
                result.discrepancies.append(Discrepancy(
                    kind: .unknownCustomer, meterID: meterID, customerID: customer, teamID: nil,
                    windowStart: segment.start, windowEnd: segment.end, localValue: 0, stripeValue: stripeValue,
                    difference: -stripeValue, repair: repair, suggestedAction: action))
                continue
            }
            // Bad rows are counted elsewhere and never judged.
            let rows = try await reconciler.usage.usageRows(from: segment.start, to: segment.end, customer: customer)
                .filter(\.isBillable)
            let drill = DrillDown(stripe: reconciler.stripe, meterID: meterID, customerID: customer, formula: formula,
                                  callBudget: reconciler.drillDownBudget)
            let outcome = try await drill.run(start: segment.start, end: segment.end, rows: rows, stripeTotal: stripeValue)
            for window in outcome.visited {
                result.windows.append(ReconciliationWindow(
                    meterID: meterID, customerID: customer, teamID: teamID, start: window.start, end: window.end,
                    localValue: formula.value(of: rows.filter { $0.createdAt >= window.start && $0.createdAt < window.end }),
                    stripeValue: window.stripeValue, granularity: window.granularity))
            }
            for window in outcome.pinned {
                let inside = rows.filter { $0.createdAt >= window.start && $0.createdAt < window.end }
                result.discrepancies += classifier.classify(customerID: customer, teamID: teamID, start: window.start,
                                                            end: window.end, rows: inside, stripeValue: window.stripeValue)
            }
        }
        // A subscribed customer that no usage row names and that has no usage in Stripe either is not a
        // discrepancy: a team that signed up and has not used anything yet looks exactly like that.
        return result
    }
}
