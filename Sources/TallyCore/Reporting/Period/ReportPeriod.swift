import Foundation

/// The UTC range a report covers (a calendar month by default) and the month before it, for trends.
public struct ReportPeriod: Sendable, Equatable {
    /// Inclusive start.
    public var start: Date
    /// Exclusive end.
    public var end: Date

    public init(start: Date, end: Date) {
        self.start = start
        self.end = end
    }

    /// The UTC calendar month `2026-10`; anything else is a usage error naming `--month`.
    public static func month(_ text: String) throws -> ReportPeriod {
        let parts = text.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), (1...12).contains(month) else {
            throw UsageError(message: "--month \"\(text)\" is not a month: use YYYY-MM, e.g. 2026-10")
        }
        let start = Self.firstOfMonth(year: year, month: month)
        return ReportPeriod(start: start, end: Self.firstOfMonth(year: year, month: month + 1))
    }

    /// The UTC month containing `date`.
    public static func month(containing date: Date) -> ReportPeriod {
        let components = Self.calendar.dateComponents([.year, .month], from: date)
        let start = firstOfMonth(year: components.year!, month: components.month!)
        return ReportPeriod(start: start, end: firstOfMonth(year: components.year!, month: components.month! + 1))
    }

    /// The last month that ended at or before `now`: the default report.
    public static func lastCompleteMonth(before now: Date) -> ReportPeriod {
        month(containing: month(containing: now).start.addingTimeInterval(-1))
    }

    /// From the first of the month `count - 1` months before `now`'s, to the end of `now`'s UTC day: the
    /// default range of a team's usage history.
    public static func recentMonths(_ count: Int, endingAt now: Date) -> ReportPeriod {
        var start = month(containing: now).start
        for _ in 1..<max(1, count) { start = lastCompleteMonth(before: start).start }
        return ReportPeriod(start: start, end: JobTimeRange.startOfUTCDay(now).addingTimeInterval(86_400))
    }

    /// The calendar month before the one this period starts in.
    public var previousMonth: ReportPeriod {
        Self.lastCompleteMonth(before: start)
    }

    /// `2026-10`, the month the period starts in; names the report directory.
    public var monthLabel: String { UTCCalendarText.month(start) }

    /// Whole UTC days in the period (a partial last day counts as one).
    public var days: Int { Self.wholeDays(from: start, to: end) }

    /// Days of the period elapsed at `now`, counting today (at least 1, at most `days`).
    public func elapsedDays(at now: Date) -> Int {
        guard now < end else { return days }
        return min(days, max(1, Self.wholeDays(from: start, to: now)))
    }

    /// Whether `date` falls in `[start, end)`.
    public func contains(_ date: Date?) -> Bool {
        guard let date else { return false }
        return date >= start && date < end
    }

    /// 00:00 UTC of each day in the period, in order.
    public var dayStarts: [Date] {
        (0..<days).map { JobTimeRange.startOfUTCDay(start).addingTimeInterval(Double($0) * 86_400) }
    }

    static func wholeDays(from start: Date, to end: Date) -> Int {
        Int((end.timeIntervalSince(start) / 86_400).rounded(.up))
    }

    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    static func firstOfMonth(year: Int, month: Int) -> Date {
        calendar.date(from: DateComponents(year: year + (month - 1) / 12, month: (month - 1) % 12 + 1, day: 1))!
    }
}
