import Foundation

/// The meter-event identifier of a usage row, stable across retries and runs.
///
/// Stripe deduplicates meter events by `identifier` within a rolling window of at least 24 hours, so a
/// re-send with the same identifier inside that window can never count twice. The plan's key
/// (`team-user-Date.now()-action`) changes on every retry and protects nothing. Tally uses the identifier
/// the app recorded for the row when there is one, and otherwise `tu_<token_usage.id>`, which the app
/// should adopt when it first sends the event (README, "Meter-event identifiers").
public enum MeterEventIdentifier {
    /// Stripe's limit on identifier length.
    public static let maximumLength = 100

    /// `tu_<id>` for a usage row id (integer or uuid text).
    public static func forUsageRow(id: String) -> String {
        String(("tu_" + id).prefix(maximumLength))
    }

    /// The identifier to use for `row`: the app's own when it recorded one, else the derived one.
    public static func forRow(_ row: UsageRow) -> String {
        if let recorded = row.meterEventIdentifier, !recorded.isEmpty, recorded.count <= maximumLength { return recorded }
        return forUsageRow(id: row.id)
    }

    /// The identifier of a repair of a pre-aggregated meter's window: new for each window, customer, meter
    /// and value (`tw_<window start>_<hash>`), so a re-run after a crash replays the same event while a
    /// corrected value is a new event, which replaces the window's value.
    public static func forWindow(customerID: String, eventName: String, start: Date, value: Int64) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(customerID)|\(eventName)|\(value)".utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let hex = String(hash, radix: 16)
        return "tw_\(Int64(start.timeIntervalSince1970))_" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
