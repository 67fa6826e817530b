import Foundation

/// The UTC time range a run covers, from `--since`/`--until` or the job's default.
public struct JobTimeRange: Sendable, Equatable, CustomStringConvertible {
    /// Inclusive start.
    public var start: Date
    /// Exclusive end.
    public var end: Date

    public init(start: Date, end: Date) {
        self.start = start
        self.end = end
    }

    public var description: String { "\(Self.format(start))..<\(Self.format(end))" }

    /// Parses `--since`/`--until` values: `YYYY-MM-DD` (00:00 UTC) or ISO 8601 with a zone
    /// (`2026-11-24T13:00:00Z`). Anything else is a usage error naming the flag.
    public static func parseInstant(_ text: String, flag: String) throws -> Date {
        if let day = try? Date(text + "T00:00:00Z", strategy: .iso8601) { return day }
        if let instant = try? Date(text, strategy: .iso8601) { return instant }
        throw UsageError(message: "\(flag) \"\(text)\" is not a UTC date: use YYYY-MM-DD or 2026-11-24T13:00:00Z")
    }

    /// 00:00 UTC of the day `date` falls in.
    public static func startOfUTCDay(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)
    }

    static func format(_ date: Date) -> String {
        UTCCalendarText.instant(date)
    }
}

/// A command-line mistake (exit 64).
public struct UsageError: TallyFailure, Equatable {
    public var message: String
    public init(message: String) { self.message = message }
    public var exitStatus: ExitStatus { .usage }
    public var description: String { message }
}
