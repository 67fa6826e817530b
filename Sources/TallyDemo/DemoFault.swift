import Foundation
import TallyCore

/// A fault the demo plants, stated as what Tally must report: the class of discrepancy, whose it is and on
/// which UTC day, so a test can check that each announced fault reaches a report.
public struct DemoFault: Sendable, CustomStringConvertible {
    /// What the demo announces, e.g. "Globex: yesterday 10:00-12:00 never sent".
    public var description: String
    /// The class `tally-reconcile` gives it.
    public var kind: DiscrepancyKind
    /// The app's team id, when the fault belongs to a team.
    public var teamID: Int64?
    /// The Stripe customer, when Tally can name one.
    public var customerID: String?
    /// The start of the UTC day the fault lies in.
    public var day: Date
    /// Who repairs it, as the reconciliation report says: `tally-retry` or a person.
    public var repair: DiscrepancyRepair?

    public init(_ description: String, kind: DiscrepancyKind, teamID: Int64? = nil, customerID: String? = nil, day: Date,
                repair: DiscrepancyRepair? = nil) {
        self.description = description
        self.kind = kind
        self.teamID = teamID
        self.customerID = customerID
        self.day = day
        self.repair = repair
    }
}
