import Foundation
import TallyCore

// The billing roles of the wrapped store, unchanged.
extension InterruptingStore {
    func billingTeams(customerID: String) async throws -> [BillingTeam] { try await base.billingTeams(customerID: customerID) }
    func applyBillingChange(_ change: BillingChange) async throws -> BillingChangeResult { try await base.applyBillingChange(change) }
    func paymentMethodState(customerID: String) async throws -> PaymentMethodState { try await base.paymentMethodState(customerID: customerID) }
    func storedInvoice(id invoiceID: String) async throws -> InvoiceRecord? { try await base.storedInvoice(id: invoiceID) }
    func billingCustomer(id customerID: String) async throws -> BillingCustomerRecord? { try await base.billingCustomer(id: customerID) }
    func teamAccess(teamID: String) async throws -> TeamAccessRecord? { try await base.teamAccess(teamID: teamID) }
    func refreshTeamAccessUsage(now: Date) async throws -> Int { try await base.refreshTeamAccessUsage(now: now) }
    func claimBillingEmail(_ key: BillingEmailKey, recipients: [String]) async throws -> Bool {
        try await base.claimBillingEmail(key, recipients: recipients)
    }
    func markBillingEmail(_ key: BillingEmailKey, sentAt: Date?, error: String?) async throws {
        try await base.markBillingEmail(key, sentAt: sentAt, error: error)
    }
    func billingEmails(eventID: String?) async throws -> [BillingEmailRecord] { try await base.billingEmails(eventID: eventID) }
    func recordBillingProblem(_ problem: BillingProblem) async throws -> Bool { try await base.recordBillingProblem(problem) }
    func recordedMeterErrorReports(among eventIDs: [String]) async throws -> Set<String> {
        try await base.recordedMeterErrorReports(among: eventIDs)
    }
    func usageRows(forMeterEventIdentifiers identifiers: [String]) async throws -> [String: String] {
        try await base.usageRows(forMeterEventIdentifiers: identifiers)
    }
    func recordMeterErrorReport(_ report: MeterErrorReportRecord, rejecting identifiers: [String]) async throws -> Int {
        try await base.recordMeterErrorReport(report, rejecting: identifiers)
    }
    func newestMeterErrorReport() async throws -> Date? { try await base.newestMeterErrorReport() }
}
