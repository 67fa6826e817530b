/// What Stripe accepts as a meter event's value, and so what Tally may ever send.
public enum MeterEventValue {
    /// Since API version 2026-04-22.dahlia Stripe rejects values of more than 15 significant digits
    /// (`meter_event_value_too_many_digits`); a whole number up to this is always exact.
    public static let maximum: Int64 = 999_999_999_999_999

    /// Whether `tokens` can be sent as is: a whole number from 0 to `maximum`.
    public static func isSendable(_ tokens: Int64) -> Bool {
        tokens >= 0 && tokens <= maximum
    }
}

extension UsageRow {
    /// A row Tally may judge and re-send: no `UsageProblem`, a team and a Stripe customer, and a value
    /// Stripe accepts.
    public var isBillable: Bool {
        problem == nil && teamID != nil && !(stripeCustomerID ?? "").isEmpty && MeterEventValue.isSendable(tokens)
    }
}
