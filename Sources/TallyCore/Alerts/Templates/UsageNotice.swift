import Foundation

/// One notification to one team: the highest threshold it crossed, with the figures the templates show.
public struct UsageNotice: Sendable, Equatable {
    public var teamID: String
    public var teamName: String
    public var threshold: Double
    public var level: UsageLevel
    public var used: Int64
    public var allowance: Int64
    public var period: TeamBillingPeriod
    public var projectedLimitAt: Date?

    public init(teamID: String, teamName: String, threshold: Double, level: UsageLevel, used: Int64, allowance: Int64,
                period: TeamBillingPeriod, projectedLimitAt: Date?) {
        self.teamID = teamID
        self.teamName = teamName
        self.threshold = threshold
        self.level = level
        self.used = used
        self.allowance = allowance
        self.period = period
        self.projectedLimitAt = projectedLimitAt
    }

    /// The values templates can name. They are built for every notice of a night, tens of thousands: no
    /// formatter on this path (days through `UTCCalendarText`, the percent from its whole tenths).
    public var templateValues: [String: String] {
        // One decimal, rounded down: 87.9 % never reads as 87 %, and 99.96 % never claims the limit.
        let percent = allowance > 0 ? (Double(used) / Double(allowance) * 1_000).rounded(.down) / 10 : 0
        var values = [
            "team": teamName,
            "team_id": teamID,
            "used": Self.grouped(used),
            "allowance": Self.grouped(allowance),
            "percent": Self.oneDecimal(percent),
            "threshold_percent": String(Int((threshold * 100).rounded())),
            "level": level.rawValue,
            "period_start": UTCCalendarText.day(period.start),
            "period_end": UTCCalendarText.day(period.end),
            "is_limit": level == .limit ? "yes" : "",
            "is_urgent": level == .urgent ? "yes" : "",
        ]
        if let projectedLimitAt {
            values["projection"] = "At this pace you reach 100 % on \(UsageProjection.dayOfMonth(projectedLimitAt))"
            values["projected_date"] = UTCCalendarText.day(projectedLimitAt)
        }
        return values
    }

    /// `%.1f` of a value already rounded down to tenths, written from its whole tenths.
    static func oneDecimal(_ value: Double) -> String {
        let tenths = (value * 10).rounded()
        guard tenths.magnitude < 1e15 else { return String(format: "%.1f", value) }
        let whole = Int64(tenths)
        return "\(whole < 0 ? "-" : "")\(whole.magnitude / 10).\(whole.magnitude % 10)"
    }

    static func grouped(_ value: Int64) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return (value < 0 ? "-" : "") + out
    }
}
