/// The meter-event identifier of a usage row: stable across retries and runs, so Stripe deduplicates a
/// re-send within its identifier window instead of counting it twice.
///
/// The app's own `meter_event_identifier` wins when it records one; otherwise `tu_<usage row id>`, which
/// the app can adopt (documented for it) so Tally and the app always send the same identifier.
public enum MeterEventIdentifier {
    /// The prefix of derived identifiers (`tu` for `token_usage`).
    public static let derivedPrefix = "tu_"
    /// Stripe's limit on an identifier's length.
    public static let maximumLength = 100

    /// The identifier for `row`.
    public static func identifier(for row: UsageRow) -> String {
        if let own = row.meterEventIdentifier, !own.isEmpty { return own }
        return derived(fromRowID: row.id)
    }

    /// `tu_<id>`, cut to Stripe's 100 characters (an id that long is not a real app's).
    public static func derived(fromRowID id: String) -> String {
        String((derivedPrefix + id).prefix(maximumLength))
    }
}
