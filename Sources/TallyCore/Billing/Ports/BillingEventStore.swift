import Foundation

/// Where acting on billing events keeps its state (issue 15): the changes each event makes, the access row
/// per team, the emails sent per event and Stripe's meter error reports.
public typealias BillingEventStore = BillingStateStore & TeamAccessSource & BillingEmailLedger & MeterErrorStore

/// The state billing events change, each change applied once per event and never over newer state.
public protocol BillingStateStore: Sendable {
    /// The app's teams whose `teams.stripe_customer_id` is `customerID`, with their owners' email addresses.
    func billingTeams(customerID: String) async throws -> [BillingTeam]
    /// Applies `change` in one transaction, unless its event was applied before; a part older than what an
    /// earlier-processed, newer event wrote is left alone.
    func applyBillingChange(_ change: BillingChange) async throws -> BillingChangeResult
    /// The payment methods Tally saw attached to `customerID`, and the customer's default method.
    func paymentMethodState(customerID: String) async throws -> PaymentMethodState
    /// One stored invoice (`tally_invoices`), or nil.
    func storedInvoice(id invoiceID: String) async throws -> InvoiceRecord?
    /// One customer as the newest `customer.*` event showed it (`tally_billing_customers`), or nil.
    func billingCustomer(id customerID: String) async throws -> BillingCustomerRecord?
}

/// The one row per team the app's middleware reads (`tally_team_access`).
public protocol TeamAccessSource: Sendable {
    /// The team's access row, or nil when no event or cap named the team yet.
    func teamAccess(teamID: String) async throws -> TeamAccessRecord?
    /// Copies allowance, used and blocked from the team's current `tally_usage_caps` row (what `tally-alerts`
    /// computed) into every access row, adding rows for capped teams without one. Returns the rows touched.
    func refreshTeamAccessUsage(now: Date) async throws -> Int
}

/// Emails sent per event (`tally_billing_emails`) and problems reported once (`tally_billing_problems`).
public protocol BillingEmailLedger: Sendable {
    /// Claims the email `key`: true when it was never sent (new, or an earlier attempt failed), false when it
    /// was sent already.
    func claimBillingEmail(_ key: BillingEmailKey, recipients: [String]) async throws -> Bool
    /// Records how the claimed email went: sent at `sentAt`, or failed with `error`.
    func markBillingEmail(_ key: BillingEmailKey, sentAt: Date?, error: String?) async throws
    /// The ledger's rows for one event (all when nil), oldest event first.
    func billingEmails(eventID: String?) async throws -> [BillingEmailRecord]
    /// Records `problem` once per team and kind: true the first time, false when it was reported before.
    func recordBillingProblem(_ problem: BillingProblem) async throws -> Bool
}

/// Stripe's meter error reports (`tally_meter_error_reports`) and the deliveries they reject.
public protocol MeterErrorStore: Sendable {
    /// Which of `eventIDs` were recorded already.
    func recordedMeterErrorReports(among eventIDs: [String]) async throws -> Set<String>
    /// The usage row each identifier belongs to: a delivery Tally sent under it, the app's own
    /// `token_usage.meter_event_identifier`, or Tally's derived `tu_<id>`.
    func usageRows(forMeterEventIdentifiers identifiers: [String]) async throws -> [String: String]
    /// Records `report` and marks the deliveries of `identifiers` `rejected`, in one transaction. Returns
    /// how many deliveries it marked.
    func recordMeterErrorReport(_ report: MeterErrorReportRecord, rejecting identifiers: [String]) async throws -> Int
    /// The newest `created` of a recorded report, where the next fetch resumes; nil before the first.
    func newestMeterErrorReport() async throws -> Date?
}
