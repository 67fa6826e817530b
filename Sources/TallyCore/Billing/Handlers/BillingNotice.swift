import Foundation

/// One email a billing event asks for: its kind, the team it is about (nil for ops) and the template values.
struct BillingNotice: Sendable, Equatable {
    var kind: BillingEmailKind
    var team: BillingTeam
    var values: [String: String]
}

/// What a handler works out from an event's payload alone: the change to apply, and the emails to send
/// once it applied (none when a newer event had already been processed).
struct BillingEventPlan: Sendable, Equatable {
    var change: BillingChange
    var notices: [BillingNotice] = []
}

/// Formatting shared by the handlers: money in its currency's minor unit, days in UTC.
enum BillingText {
    static func amount(_ minorUnits: Int64, _ currency: String) -> String {
        CurrencyFormat(currency: currency).displayText(minorUnits: minorUnits)
    }

    static func day(_ date: Date?) -> String {
        date.map(UTCCalendarText.day) ?? ""
    }
}
