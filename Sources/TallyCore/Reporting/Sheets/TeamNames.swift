import Foundation

/// Names customers by their app team, for every sheet alike.
struct TeamNames {
    let byCustomer: [String: TeamRecord]
    let byID: [String: String]

    init(_ data: ReportingData) {
        byCustomer = data.teamsByCustomer
        byID = data.teamNamesByID
    }

    /// The team name for a Stripe customer, blank when the app has no team for it.
    func name(customer: String?) -> ReportCell {
        customer.flatMap { byCustomer[$0] }.map { .text($0.name) } ?? .blank
    }

    /// The team id for a Stripe customer.
    func id(customer: String?) -> ReportCell {
        customer.flatMap { byCustomer[$0] }.map { .text($0.id) } ?? .blank
    }

    /// The team's name from its customer, else from its id, else the id itself: a sheet never shows a bare
    /// id where the app has a name.
    func name(customer: String?, team: String?) -> ReportCell {
        if let customer, let record = byCustomer[customer] { return .text(record.name) }
        return team.map { name(team: $0) } ?? .blank
    }

    /// The name of a team id, falling back to the id itself.
    func name(team: String) -> ReportCell { .text(byID[team] ?? team) }
}
