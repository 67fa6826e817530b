/// Why a usage row cannot be billed. The codes are what `UsageSQL` computes for each row, in this order of
/// precedence (the first that applies), so both backends classify a row the same way.
public enum UsageProblem: Int64, Sendable, CaseIterable, Comparable {
    /// `team_id` is NULL: nobody to bill.
    case missingTeam = 1
    /// `tokens` is NULL or negative.
    case negativeTokens = 2
    /// `created_at` lies after the run's start: a clock or import error.
    case futureTimestamp = 3
    /// `tokens` is not a whole number (a fraction, or text in SQLite): never rounded, never sent.
    case notWholeNumber = 4
    /// `tokens` has more than 15 digits, which Stripe rejects (`meter_event_value_too_many_digits`).
    case tooLarge = 5
    /// `created_at` could not be read as a time (NULL from the usage query).
    case unreadableTimestamp = 6
    /// A customer-day whose total does not fit in 64 bits: reported, never wrapped.
    case totalOverflow = 7
    /// The usage query returns the row's id more than once (a JOIN that multiplies rows, say): no copy is
    /// counted or sent, since Tally cannot tell which one is real.
    case duplicateID = 8

    /// How the reports and emails name it.
    public var reason: String {
        switch self {
        case .missingTeam: "no team"
        case .negativeTokens: "negative or missing tokens"
        case .futureTimestamp: "dated in the future"
        case .notWholeNumber: "tokens not a whole number"
        case .tooLarge: "tokens over 15 digits (Stripe rejects them)"
        case .unreadableTimestamp: "created_at not a readable time"
        case .totalOverflow: "a day's total too large to add up"
        case .duplicateID: "an id the usage query returns more than once (check its JOINs)"
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
