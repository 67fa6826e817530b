import Foundation

/// One customer's comparison over the judged range: each day's window, and the classified gaps of the
/// days that differ (drilled down first, unless no team knows the customer).
///
/// Two steps, so that many customers' rows are read in one pass (`MeterReconciler.pinAll`): `compareDays`
/// judges the day totals and leaves the discrepant days to pin in `pending`; `pin` drills into them with the
/// customer's rows.
struct CustomerComparison: Sendable {
    /// A discrepant customer-day (or part of one) whose gaps are pinned with the app's rows.
    struct PendingDay: Sendable {
        var start: Date
        var end: Date
        var stripeValue: Int64
    }

    var customerID: String
    var teamID: String?
    var windows: [ReconciliationWindow] = []
    var discrepancies: [Discrepancy] = []
    /// Discrepant days still to pin with `pin(rows:on:)`.
    var pending: [PendingDay] = []
    /// A `last` meter judged hour by hour: Stripe's value per hour, waiting for the customer's rows (the
    /// whole range is then pending).
    var stripeByHour: [Date: Int64]?

    /// The day and partial-day windows: the customer's side of the daily totals.
    var dayWindows: [ReconciliationWindow] {
        windows.filter(Self.isDayWindow)
    }

    static func isDayWindow(_ window: ReconciliationWindow) -> Bool {
        window.granularity == .day || window.granularity == .partialDay
    }

    /// Judges the day totals of `customer`; the discrepant days of a customer a team knows are left in
    /// `pending`, oldest first.
    static func compareDays(customer: String, teamID: String?, local: [Date: DailyUsage], isUnknown: Bool,
                            on meter: MeterUnderComparison) async throws -> CustomerComparison {
        let aggregation = meter.aggregation
        if aggregation.isJudgedHourly {
            return try await compareLastByHour(customer: customer, teamID: teamID, isUnknown: isUnknown, on: meter)
        }
        let meterID = meter.meterID
        let range = meter.range
        let classifier = GapClassifier(meterID: meterID, aggregation: aggregation, now: meter.now)
        var result = CustomerComparison(customerID: customer, teamID: teamID)
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
            result.pending.append(PendingDay(start: segment.start, end: segment.end, stripeValue: stripeValue))
        }
        // A subscribed customer that no usage row names and that has no usage in Stripe either is not a
        // discrepancy: a team that signed up and has not used anything yet looks exactly like that.
        return result
    }

    /// Drills into each pending day with `rows` (the customer's rows covering them, any others ignored)
    /// and classifies what the drill-down pinned.
    mutating func pin(rows: [UsageRow], on meter: MeterUnderComparison) async throws {
        if let stripeByHour {
            judgeHours(rows: rows.filter(\.isBillable), stripeByHour: stripeByHour, isUnknown: false, on: meter)
            self.stripeByHour = nil
            pending = []
            return
        }
        let aggregation = meter.aggregation
        let classifier = GapClassifier(meterID: meter.meterID, aggregation: aggregation, now: meter.now)
        let drill = DrillDown(stripe: meter.stripe, meterID: meter.meterID, customerID: customerID, aggregation: aggregation,
                              callBudget: meter.drillDownBudget)
        for day in pending {
            // Bad rows are counted elsewhere and never judged.
            let inDay = rows.filter { $0.isBillable && $0.createdAt >= day.start && $0.createdAt < day.end }
            let outcome = try await drill.run(start: day.start, end: day.end, rows: inDay, stripeTotal: day.stripeValue)
            // The drill-down's windows follow their day's window, as the record has always listed them.
            var at = windows.firstIndex { $0.start >= day.end && Self.isDayWindow($0) } ?? windows.endIndex
            for window in outcome.visited {
                defer { at += 1 }
                windows.insert(ReconciliationWindow(
                    meterID: meter.meterID, customerID: customerID, teamID: teamID, start: window.start, end: window.end,
                    localValue: aggregation.value(of: inDay.filter { $0.createdAt >= window.start && $0.createdAt < window.end }),
                    stripeValue: window.stripeValue, granularity: window.granularity), at: at)
            }
            for window in outcome.pinned {
                let inside = inDay.filter { $0.createdAt >= window.start && $0.createdAt < window.end }
                discrepancies += classifier.classify(customerID: customerID, teamID: teamID, start: window.start,
                                                     end: window.end, rows: inside, stripeValue: window.stripeValue)
            }
        }
        pending = []
    }

    /// A `last` meter, hour by hour: one `hour`-grouped call for the range against the app's last row of
    /// each hour. A day's value is its latest hour's on each side; each discrepant hour is a finding whose
    /// difference is its effect on the day's billed value, so the totals add up to what Stripe bills wrongly.
    static func compareLastByHour(customer: String, teamID: String?, isUnknown: Bool,
                                  on meter: MeterUnderComparison) async throws -> CustomerComparison {
        let meterID = meter.meterID
        let range = meter.range
        var result = CustomerComparison(customerID: customer, teamID: teamID)
        guard !range.isEmpty else { return result }
        var stripeByHour: [Date: Int64] = [:]
        for summary in try await meter.stripe.meterEventSummaries(meterID: meterID, customer: customer, start: range.start,
                                                                       end: range.end, grouping: .hour) {
            stripeByHour[summary.startTime] = DrillDown.value(summary)
        }
        // No team knows the customer: nothing local to read, every hour Stripe has is judged now.
        if isUnknown {
            result.judgeHours(rows: [], stripeByHour: stripeByHour, isUnknown: true, on: meter)
        } else {
            result.stripeByHour = stripeByHour
            result.pending = [PendingDay(start: range.start, end: range.end, stripeValue: 0)]
        }
        return result
    }

    /// The hour-by-hour judgement of a `last` meter against `rows`, the customer's billable rows over the range.
    mutating func judgeHours(rows: [UsageRow], stripeByHour: [Date: Int64], isUnknown: Bool, on meter: MeterUnderComparison) {
        let meterID = meter.meterID, customer = customerID
        let classifier = GapClassifier(meterID: meterID, aggregation: meter.aggregation, now: meter.now)
        var rowsByHour: [Date: [UsageRow]] = [:]
        for row in rows { rowsByHour[MeterAggregation.Window.hour.start(of: row.createdAt), default: []].append(row) }

        for day in meter.range.days {
            let segment = meter.range.segment(of: day)
            let inDay = { (hour: Date) in hour >= segment.start && hour < segment.end }
            let localHours = rowsByHour.keys.filter(inDay)
            let stripeHours = stripeByHour.keys.filter(inDay)
            let dayLocal = localHours.max().flatMap { rowsByHour[$0]?.last?.tokens } ?? 0
            let dayStripe = stripeHours.max().flatMap { stripeByHour[$0] } ?? 0
            let isWholeDay = segment.end.timeIntervalSince(segment.start) == 86_400
            windows.append(ReconciliationWindow(
                meterID: meterID, customerID: customer, teamID: teamID, start: segment.start, end: segment.end,
                localValue: dayLocal, stripeValue: dayStripe, granularity: isWholeDay ? .day : .partialDay))
            let discrepant = Set(localHours + stripeHours).filter { rowsByHour[$0]?.last?.tokens != stripeByHour[$0] }.sorted()
            guard !discrepant.isEmpty else { continue }
            if isUnknown {
                discrepancies.append(classifier.unknownCustomer(customer, segment: segment, stripeValue: dayStripe))
                continue
            }
            // The day's value comes from its latest hour on either side: only that hour moves what is billed.
            let latest = (localHours + stripeHours).max()
            for hour in discrepant {
                let end = hour.addingTimeInterval(3_600)
                windows.append(ReconciliationWindow(
                    meterID: meterID, customerID: customer, teamID: teamID, start: hour, end: end,
                    localValue: rowsByHour[hour]?.last?.tokens ?? 0, stripeValue: stripeByHour[hour] ?? 0, granularity: .hour))
                discrepancies.append(classifier.classifyLastHour(
                    customerID: customer, teamID: teamID, start: hour, end: end, rows: rowsByHour[hour] ?? [],
                    stripeValue: stripeByHour[hour], dayEffect: hour == latest ? dayLocal - dayStripe : 0,
                    dayLocal: dayLocal, dayStripe: dayStripe))
            }
        }
    }
}
