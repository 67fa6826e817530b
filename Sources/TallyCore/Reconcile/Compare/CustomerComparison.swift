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

    /// Compares `customer`, whose local days are `local` (empty when it had no usage in range), on `meter`.
    static func compare(customer: String, teamID: String?, local: [Date: DailyUsage], isUnknown: Bool,
                        on meter: MeterUnderComparison) async throws -> CustomerComparison {
        let aggregation = meter.aggregation
        if aggregation.isJudgedHourly {
            return try await compareLastByHour(customer: customer, teamID: teamID, isUnknown: isUnknown, on: meter)
        }
        let meterID = meter.meterID
        let range = meter.range
        let classifier = GapClassifier(meterID: meterID, aggregation: aggregation, now: meter.now)
        var result = CustomerComparison(customerID: customer)
        let stripeByDay = try await meter.stripeValues(customer: customer)
        for day in range.days {
            let segment = range.segment(of: day)
            let localValue = local[day].map(aggregation.value(of:)) ?? 0
            let stripeValue = stripeByDay[day] ?? 0
            let isWholeDay = segment.end.timeIntervalSince(segment.start) == 86_400
            result.windows.append(ReconciliationWindow(
                meterID: meterID, customerID: customer, teamID: teamID, start: segment.start, end: segment.end,
                localValue: localValue, stripeValue: stripeValue, granularity: isWholeDay ? .day : .partialDay))
            guard localValue != stripeValue else { continue }
            // A daily pre-aggregated meter's part of a day cannot be judged: its one event may lie outside it.
            if aggregation.window == .day && !isWholeDay { continue }
            if isUnknown {
                result.discrepancies.append(classifier.unknownCustomer(customer, segment: segment, stripeValue: stripeValue))
                continue
            }
            // Bad rows are counted elsewhere and never judged.
            let rows = try await meter.usage.usageRows(from: segment.start, to: segment.end, customer: customer)
                .filter(\.isBillable)
            let drill = DrillDown(stripe: meter.stripe, meterID: meterID, customerID: customer, aggregation: aggregation,
                                  callBudget: meter.drillDownBudget)
            let outcome = try await drill.run(start: segment.start, end: segment.end, rows: rows, stripeTotal: stripeValue)
            for window in outcome.visited {
                result.windows.append(ReconciliationWindow(
                    meterID: meterID, customerID: customer, teamID: teamID, start: window.start, end: window.end,
                    localValue: aggregation.value(of: rows.filter { $0.createdAt >= window.start && $0.createdAt < window.end }),
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

    /// A `last` meter, hour by hour: one `hour`-grouped call for the range against the app's last row of
    /// each hour. A day's value is its latest hour's on each side; each discrepant hour is a finding whose
    /// difference is its effect on the day's billed value, so the totals add up to what Stripe bills wrongly.
    static func compareLastByHour(customer: String, teamID: String?, isUnknown: Bool,
                                  on meter: MeterUnderComparison) async throws -> CustomerComparison {
        let meterID = meter.meterID
        let range = meter.range
        let classifier = GapClassifier(meterID: meterID, aggregation: meter.aggregation, now: meter.now)
        var result = CustomerComparison(customerID: customer)
        guard !range.isEmpty else { return result }
        var stripeByHour: [Date: Int64] = [:]
        for summary in try await meter.stripe.meterEventSummaries(meterID: meterID, customer: customer, start: range.start,
                                                                       end: range.end, grouping: .hour) {
            stripeByHour[summary.startTime] = DrillDown.value(summary)
        }
        let rows = isUnknown ? [] : try await meter.usage.usageRows(from: range.start, to: range.end, customer: customer)
            .filter(\.isBillable)
        var rowsByHour: [Date: [UsageRow]] = [:]
        for row in rows { rowsByHour[MeterAggregation.Window.hour.start(of: row.createdAt), default: []].append(row) }

        for day in range.days {
            let segment = range.segment(of: day)
            let inDay = { (hour: Date) in hour >= segment.start && hour < segment.end }
            let localHours = rowsByHour.keys.filter(inDay)
            let stripeHours = stripeByHour.keys.filter(inDay)
            let dayLocal = localHours.max().flatMap { rowsByHour[$0]?.last?.tokens } ?? 0
            let dayStripe = stripeHours.max().flatMap { stripeByHour[$0] } ?? 0
            let isWholeDay = segment.end.timeIntervalSince(segment.start) == 86_400
            result.windows.append(ReconciliationWindow(
                meterID: meterID, customerID: customer, teamID: teamID, start: segment.start, end: segment.end,
                localValue: dayLocal, stripeValue: dayStripe, granularity: isWholeDay ? .day : .partialDay))
            let discrepant = Set(localHours + stripeHours).filter { rowsByHour[$0]?.last?.tokens != stripeByHour[$0] }.sorted()
            guard !discrepant.isEmpty else { continue }
            if isUnknown {
                result.discrepancies.append(classifier.unknownCustomer(customer, segment: segment, stripeValue: dayStripe))
                continue
            }
            // The day's value comes from its latest hour on either side: only that hour moves what is billed.
            let latest = (localHours + stripeHours).max()
            for hour in discrepant {
                let end = hour.addingTimeInterval(3_600)
                result.windows.append(ReconciliationWindow(
                    meterID: meterID, customerID: customer, teamID: teamID, start: hour, end: end,
                    localValue: rowsByHour[hour]?.last?.tokens ?? 0, stripeValue: stripeByHour[hour] ?? 0, granularity: .hour))
                result.discrepancies.append(classifier.classifyLastHour(
                    customerID: customer, teamID: teamID, start: hour, end: end, rows: rowsByHour[hour] ?? [],
                    stripeValue: stripeByHour[hour], dayEffect: hour == latest ? dayLocal - dayStripe : 0,
                    dayLocal: dayLocal, dayStripe: dayStripe))
            }
        }
        return result
    }
}
