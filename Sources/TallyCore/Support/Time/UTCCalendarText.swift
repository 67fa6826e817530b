import Foundation

/// ISO 8601 text for instants, computed in UTC without a locale or a formatter, so the same instant always
/// gives the same bytes and millions of cells stay cheap. Reports, mail and the jobs' time ranges all use it.
public enum UTCCalendarText {
    /// `2026-11-24` for the UTC day containing `date`.
    public static func day(_ date: Date) -> String {
        let (year, month, day, _) = civil(date)
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// `2026-11-24T13:05:09Z`, whole seconds.
    public static func instant(_ date: Date) -> String {
        let (year, month, day, seconds) = civil(date)
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(seconds / 3600, 2)):"
            + "\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2))Z"
    }

    /// `2026-11`, the UTC month containing `date`.
    public static func month(_ date: Date) -> String {
        let (year, month, _, _) = civil(date)
        return "\(pad(year, 4))-\(pad(month, 2))"
    }

    /// Year, month, day and second of the day in UTC (Howard Hinnant's civil-from-days algorithm).
    private static func civil(_ date: Date) -> (Int, Int, Int, Int) {
        let total = Int(date.timeIntervalSince1970.rounded(.down))
        let days = total >= 0 ? total / 86_400 : (total - 86_399) / 86_400
        let seconds = total - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day, seconds)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
