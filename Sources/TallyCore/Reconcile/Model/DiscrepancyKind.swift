/// What kind of gap a discrepancy is, as stored in `tally_discrepancies.kind`.
public enum DiscrepancyKind: String, Sendable, CaseIterable, Codable, Comparable {
    /// Local rows the app never marked as acknowledged, and Stripe lacks them.
    case unreported
    /// Rows the app marked as acknowledged by Stripe, yet Stripe lacks them.
    case lostAfterAck = "lost_after_ack"
    /// Stripe counts more than the app recorded: the customer may be over-billed.
    case extraInStripe = "extra_in_stripe"
    /// A Stripe customer with usage or a metered subscription item that no local team uses.
    case unknownCustomer = "unknown_customer"
    /// A team with usage but no Stripe customer: its usage cannot be billed.
    case missingCustomer = "missing_customer"
    /// Local rows that cannot be billed (no team, negative tokens, future timestamps): counted, never judged.
    case badRows = "bad_rows"

    /// A short phrase for reports and email.
    public var label: String {
        switch self {
        case .unreported: "never reported"
        case .lostAfterAck: "lost after acknowledgement"
        case .extraInStripe: "extra in Stripe (over-billing risk)"
        case .unknownCustomer: "Stripe customer unknown locally"
        case .missingCustomer: "team without Stripe customer"
        case .badRows: "bad local rows"
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// Who can close a gap: `tally-retry` by re-sending the rows, or a person.
public enum DiscrepancyRepair: String, Sendable, Codable {
    /// `tally-retry` can re-send the usage rows named in the discrepancy.
    case retry
    /// Beyond what `tally-retry` may do safely: a person must look.
    case human
}
