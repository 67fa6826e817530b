/// How loud a crossed threshold is, from the plan's levels: below the warning threshold an in-app note;
/// from `USAGE_CAP_WARNING_THRESHOLD` an email and an in-app warning; above it an urgent email; at
/// `USAGE_CAP_HARD_LIMIT` the team is blocked, owners get an upgrade prompt and `ALERT_EMAIL` hears of it.
public enum UsageLevel: String, Sendable, Comparable, CaseIterable {
    case info
    case warning
    case urgent
    case limit

    /// The channels a notification of this level goes out on (the webhook is added where a team has one).
    public var channels: [AlertChannel] {
        switch self {
        case .info: [.inApp]
        case .warning, .urgent: [.email, .inApp]
        case .limit: [.email, .inApp, .ops]
        }
    }

    public static func < (lhs: UsageLevel, rhs: UsageLevel) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
