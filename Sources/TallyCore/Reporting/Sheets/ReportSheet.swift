import Foundation

/// A report table with the name of the CSV it is also written to.
public struct ReportSheet: Sendable, Equatable {
    public var table: ReportTable
    /// e.g. `finance-invoices.csv`.
    public var csvFileName: String

    public init(_ table: ReportTable, csvFileName: String) {
        self.table = table
        self.csvFileName = csvFileName
    }
}

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

    /// The name of a team id, falling back to the id itself.
    func name(team: String) -> ReportCell { .text(byID[team] ?? team) }
}

extension ReportCell {
    /// A date cell, or blank.
    static func day(_ date: Date?) -> ReportCell { date.map { .date($0) } ?? .blank }
    /// A date-time cell, or blank.
    static func instant(_ date: Date?) -> ReportCell { date.map { .dateTime($0) } ?? .blank }
    /// A text cell, or blank.
    static func optionalText(_ text: String?) -> ReportCell { text.map { .text($0) } ?? .blank }
    /// An exact decimal from a latency in milliseconds, one decimal place.
    static func milliseconds(_ value: Double) -> ReportCell {
        .decimal(Decimal((value * 10).rounded()) / 10)
    }
}
