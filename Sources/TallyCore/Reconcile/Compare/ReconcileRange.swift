import Foundation

/// The part of a run's range that is judged, cut into the segments Stripe can summarise.
///
/// Stripe's summaries need minute-aligned bounds, hour-aligned for `hour` grouping and 00:00 UTC for
/// `day` grouping. The range is therefore widened to whole hours at the start and narrowed to whole hours
/// at the end, where it also stops `RECONCILE_SETTLE_MINUTES` before now: Stripe aggregates
/// asynchronously, so younger usage is not judged yet.
public struct ReconcileRange: Sendable, Equatable {
    /// The range asked for (flags or default).
    public var requested: JobTimeRange
    /// Inclusive, hour-aligned.
    public var start: Date
    /// Exclusive, hour-aligned, never later than now minus the settle delay.
    public var end: Date

    /// The default range: the last complete UTC day plus `lookbackDays` days before it, so late arrivals
    /// are judged again.
    public static func defaultRange(now: Date, lookbackDays: Int) -> JobTimeRange {
        let today = JobTimeRange.startOfUTCDay(now)
        return JobTimeRange(start: today.addingTimeInterval(-Double(1 + max(0, lookbackDays)) * 86_400), end: today)
    }

    /// Clips `requested` to settled, hour-aligned bounds.
    public init(requested: JobTimeRange, now: Date, settleDelay: TimeInterval) {
        self.requested = requested
        start = Self.floor(requested.start, to: 3_600)
        let settled = min(requested.end, now.addingTimeInterval(-settleDelay))
        end = max(start, Self.floor(settled, to: 3_600))
    }

    /// Whether anything is settled enough to judge.
    public var isEmpty: Bool { start >= end }

    /// The whole UTC days inside the range (judged with one `day`-grouped call), if any.
    public var wholeDays: (start: Date, end: Date)? {
        let first = Self.ceil(start, to: 86_400)
        let last = Self.floor(end, to: 86_400)
        return first < last ? (first, last) : nil
    }

    /// The parts of days at either end that are not whole days (each judged with an ungrouped call).
    public var partialDays: [(start: Date, end: Date)] {
        guard !isEmpty else { return [] }
        guard let whole = wholeDays else {
            // No whole day: the range lies within one or two days; cut it at midnight.
            let midnight = Self.ceil(start, to: 86_400)
            return midnight > start && midnight < end ? [(start, midnight), (midnight, end)] : [(start, end)]
        }
        var parts: [(start: Date, end: Date)] = []
        if start < whole.start { parts.append((start, whole.start)) }
        if whole.end < end { parts.append((whole.end, end)) }
        return parts
    }

    /// The UTC days the range touches, oldest first.
    public var days: [Date] {
        guard !isEmpty else { return [] }
        var days: [Date] = []
        var day = JobTimeRange.startOfUTCDay(start)
        while day < end {
            days.append(day)
            day = day.addingTimeInterval(86_400)
        }
        return days
    }

    /// The judged segment of `day`: the whole day, or the part inside the range.
    public func segment(of day: Date) -> (start: Date, end: Date) {
        (max(start, day), min(end, day.addingTimeInterval(86_400)))
    }

    static func floor(_ date: Date, to step: TimeInterval) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 / step).rounded(.down) * step)
    }

    static func ceil(_ date: Date, to step: TimeInterval) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 / step).rounded(.up) * step)
    }
}
