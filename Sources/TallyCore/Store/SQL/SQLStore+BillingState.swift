import Foundation

// Each write is guarded by the `created` of the event that wrote the row last (`event_created`,
// `status_event_created`): an older event processed late changes nothing. Events of the same second apply in
// processing order, as `subscription_syncs` does.
extension SQLStore: BillingStateStore {
    func billingTeams(customerID: String) async throws -> [BillingTeam] {
        // An app without `teams` (or without owners) has no team to act for: the event is still recorded.
        guard try await database.columnNames(ofTable: "teams").contains("stripe_customer_id") else { return [] }
        let teams = try await sql.query("""
            SELECT CAST(id AS TEXT) AS id, CAST(name AS TEXT) AS name FROM teams
            WHERE stripe_customer_id = \(customerID) ORDER BY id
            """).map { row in (id: try row["id"] as String, name: (try row["name"] as String?) ?? "") }
        guard !teams.isEmpty else { return [] }
        var owners: [String: [String]] = [:]
        if try await !database.columnNames(ofTable: "team_members").isEmpty {
            // The same owners `teamOwnerEmails` reads, for these teams only: one event should not read every team.
            for row in try await sql.query("""
                SELECT CAST(m.team_id AS TEXT) AS team_id, CAST(u.email AS TEXT) AS email
                FROM team_members m JOIN users u ON u.id = m.user_id
                WHERE m.role = 'owner' AND u.email IS NOT NULL AND CAST(m.team_id AS TEXT) IN (\(list: teams.map(\.id)))
                ORDER BY m.team_id, u.email
                """) {
                owners[try row["team_id"], default: []].append(try row["email"])
            }
        }
        return teams.map { BillingTeam(teamID: $0.id, name: $0.name, ownerEmails: owners[$0.id] ?? []) }
    }

    func applyBillingChange(_ change: BillingChange) async throws -> BillingChangeResult {
        let p = prefix
        return try await sql.transaction { sql in
            let first = try await sql.query("""
                INSERT INTO \(raw: p)billing_events (event_id, event_type, customer_id, outcome, applied_at)
                VALUES (\(change.eventID), \(change.eventType), \(change.customerID), \(change.outcome), \(change.appliedAt))
                ON CONFLICT (event_id) DO NOTHING
                RETURNING event_id
                """)
            guard !first.isEmpty else {
                // A redelivery answers as the first processing did, so a stale event never sends its emails later.
                let outcome: String? = try await sql.queryOne(
                    "SELECT outcome FROM \(raw: p)billing_events WHERE event_id = \(change.eventID)")?["outcome"]
                return BillingChangeResult(firstTime: false, stale: outcome == "stale")
            }
            var stale = false
            if let invoice = change.invoice { stale = try await Self.write(invoice, change, sql: sql, prefix: p) || stale }
            if let customer = change.customer { stale = try await Self.write(customer, change, sql: sql, prefix: p) || stale }
            if let method = change.paymentMethod { stale = try await Self.write(method, change, sql: sql, prefix: p) || stale }
            if let access = change.access {
                for team in change.teamIDs {
                    stale = try await Self.write(access, team: team, change, sql: sql, prefix: p) || stale
                }
                try await Self.refreshUsage(teamIDs: change.teamIDs, now: change.appliedAt, sql: sql, prefix: p)
            }
            if stale {
                try await sql.execute("UPDATE \(raw: p)billing_events SET outcome = 'stale' WHERE event_id = \(change.eventID)")
            }
            return BillingChangeResult(firstTime: true, stale: stale)
        }
    }

    func paymentMethodState(customerID: String) async throws -> PaymentMethodState {
        let attached: [String] = try await sql.query("""
            SELECT payment_method_id FROM \(raw: prefix)payment_methods
            WHERE customer_id = \(customerID) AND attached = \(true) ORDER BY payment_method_id
            """).map { try $0["payment_method_id"] }
        return PaymentMethodState(attached: attached, defaultMethod: try await billingCustomer(id: customerID)?.defaultPaymentMethod)
    }

    func storedInvoice(id invoiceID: String) async throws -> InvoiceRecord? {
        try await sql.queryOne("""
            SELECT invoice_id, customer_id, subscription_id, number, status, currency, amount_due, amount_paid, amount_remaining,
                   hosted_invoice_url, next_payment_attempt, period_start, period_end
            FROM \(raw: prefix)invoices WHERE invoice_id = \(invoiceID)
            """).map { row in
            InvoiceRecord(invoiceID: try row["invoice_id"], customerID: try row["customer_id"], subscriptionID: try row["subscription_id"],
                          number: try row["number"], status: try row["status"], currency: try row["currency"],
                          amountDue: try row["amount_due"], amountPaid: try row["amount_paid"], amountRemaining: try row["amount_remaining"],
                          hostedInvoiceURL: try row["hosted_invoice_url"], nextPaymentAttempt: try row["next_payment_attempt"],
                          periodStart: try row["period_start"], periodEnd: try row["period_end"])
        }
    }

    func billingCustomer(id customerID: String) async throws -> BillingCustomerRecord? {
        try await sql.queryOne("""
            SELECT customer_id, name, email, default_payment_method FROM \(raw: prefix)billing_customers WHERE customer_id = \(customerID)
            """).map { row in
            BillingCustomerRecord(customerID: try row["customer_id"], name: try row["name"], email: try row["email"],
                                  defaultPaymentMethod: try row["default_payment_method"])
        }
    }

    /// The guard every object table shares: insert, or update only when this event is not older than the
    /// row's. Returns true when the row was newer (nothing written).
    private static func upsert(_ table: String, key: String, columns: [String], values: [any SQLBindable],
                               _ change: BillingChange, sql: any SQLExecutor) async throws -> Bool {
        let all = columns + ["event_id", "event_created", "updated_at"]
        let updates = all.filter { $0 != key }.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        let written = try await sql.query(.insert(into: table, columns: all,
                                                  rows: [values + [change.eventID, change.eventCreated, change.appliedAt]],
                                                  suffix: """
            ON CONFLICT (\(key)) DO UPDATE SET \(updates)
            WHERE excluded.event_created >= \(table).event_created
            RETURNING \(key)
            """))
        return written.isEmpty
    }

    private static func write(_ invoice: InvoiceRecord, _ change: BillingChange, sql: any SQLExecutor, prefix p: String) async throws -> Bool {
        try await upsert("\(p)invoices", key: "invoice_id", columns: [
            "invoice_id", "customer_id", "subscription_id", "number", "status", "currency", "amount_due", "amount_paid",
            "amount_remaining", "hosted_invoice_url", "next_payment_attempt", "period_start", "period_end",
        ], values: [
            invoice.invoiceID, invoice.customerID, invoice.subscriptionID, invoice.number,
            invoice.status, invoice.currency, invoice.amountDue, invoice.amountPaid, invoice.amountRemaining,
            invoice.hostedInvoiceURL, invoice.nextPaymentAttempt, invoice.periodStart,
            invoice.periodEnd,
        ], change, sql: sql)
    }

    private static func write(_ customer: BillingCustomerRecord, _ change: BillingChange, sql: any SQLExecutor, prefix p: String) async throws -> Bool {
        try await upsert("\(p)billing_customers", key: "customer_id", columns: ["customer_id", "name", "email", "default_payment_method"],
                         values: [customer.customerID, customer.name, customer.email,
                                  customer.defaultPaymentMethod], change, sql: sql)
    }

    private static func write(_ method: PaymentMethodRecord, _ change: BillingChange, sql: any SQLExecutor, prefix p: String) async throws -> Bool {
        try await upsert("\(p)payment_methods", key: "payment_method_id", columns: ["payment_method_id", "customer_id", "type", "attached"],
                         values: [method.paymentMethodID, method.customerID, method.type, method.attached],
                         change, sql: sql)
    }
}
