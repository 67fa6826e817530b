import Foundation

/// When a team reaches its allowance at the current pace: linear from the period's usage so far.
public enum UsageProjection {
    /// The moment `used` grows to `allowance` at the average daily pace since `periodStart`, or `nil` when the
    /// team does not use anything, is already there, or will not get there before `periodEnd`.
    public static func limitReached(used: Int64, allowance: Int64, periodStart: Date, periodEnd: Date, now: Date) -> Date? {
        guard allowance > 0, used > 0, used < allowance, now > periodStart else { return nil }
        // At least one day elapsed, so a burst in the first hour does not project an absurd pace.
        let elapsed = max(now.timeIntervalSince(periodStart), 86_400)
        let pace = Double(used) / elapsed
        let reached = now.addingTimeInterval(Double(allowance - used) / pace)
        return reached < periodEnd ? reached : nil
    }

    /// "the 19th": the UTC day of the month with its English ordinal suffix.
    public static func dayOfMonth(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let day = calendar.component(.day, from: date)
        let suffix: String
        switch (day % 10, day % 100) {
        case (_, 11...13): suffix = "th"
        case (1, _): suffix = "st"
        case (2, _): suffix = "nd"
        case (3, _): suffix = "rd"
        default: suffix = "th"
        }
        return "the \(day)\(suffix)"
    }
}
