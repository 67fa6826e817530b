import Foundation

extension SQLStore: BillingEmailLedger {
    func claimBillingEmail(_ key: BillingEmailKey, recipients: [String]) async throws -> Bool {
        let p = prefix
        return try await sql.transaction { sql in
            try await sql.execute("""
                INSERT INTO \(raw: p)billing_emails (event_id, kind, team_id, recipients, status, attempts)
                VALUES (\(key.eventID), \(key.kind.rawValue), \(key.teamID), \(recipients.joined(separator: ", ")), 'pending', 0)
                ON CONFLICT (event_id, kind, team_id) DO NOTHING
                """)
            let status: String? = try await sql.queryOne("""
                SELECT status FROM \(raw: p)billing_emails
                WHERE event_id = \(key.eventID) AND kind = \(key.kind.rawValue) AND team_id = \(key.teamID)\(raw: sql.backend.lockingRead)
                """)?["status"]
            return status != "sent"
        }
    }

    func markBillingEmail(_ key: BillingEmailKey, sentAt: Date?, error: String?) async throws {
        try await sql.execute("""
            UPDATE \(raw: prefix)billing_emails
            SET status = \(sentAt == nil ? "failed" : "sent"), attempts = attempts + 1, last_error = \(error), sent_at = \(sentAt)
            WHERE event_id = \(key.eventID) AND kind = \(key.kind.rawValue) AND team_id = \(key.teamID)
            """)
    }

    func billingEmails(eventID: String?) async throws -> [BillingEmailRecord] {
        try await sql.query("""
            SELECT event_id, kind, team_id, recipients, status, attempts, last_error, sent_at FROM \(raw: prefix)billing_emails
            WHERE CAST(\(eventID) AS TEXT) IS NULL OR event_id = \(eventID)
            ORDER BY event_id, kind, team_id
            """).compactMap { row in
            guard let kind = BillingEmailKind(rawValue: try row["kind"]) else { return nil }
            let recipients: String = try row["recipients"]
            return BillingEmailRecord(
                key: BillingEmailKey(eventID: try row["event_id"], kind: kind, teamID: try row["team_id"]),
                recipients: recipients.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) },
                status: try row["status"], attempts: try row["attempts"], lastError: try row["last_error"], sentAt: try row["sent_at"])
        }
    }

    func recordBillingProblem(_ problem: BillingProblem) async throws -> Bool {
        try await !sql.query("""
            INSERT INTO \(raw: prefix)billing_problems (team_id, problem, event_id, recorded_at)
            VALUES (\(problem.teamID), \(problem.problem), \(problem.eventID), \(problem.recordedAt))
            ON CONFLICT (team_id, problem) DO NOTHING
            RETURNING team_id
            """).isEmpty
    }
}

extension SQLStore: MeterErrorStore {
    func recordedMeterErrorReports(among eventIDs: [String]) async throws -> Set<String> {
        var found = Set<String>()
        for batch in SQLStatement.batches(eventIDs) {
            for row in try await sql.query("SELECT event_id FROM \(raw: prefix)meter_error_reports WHERE event_id IN (\(list: Array(batch)))") {
                found.insert(try row["event_id"])
            }
        }
        return found
    }

    func usageRows(forMeterEventIdentifiers identifiers: [String]) async throws -> [String: String] {
        guard !identifiers.isEmpty else { return [:] }
        var rows: [String: String] = [:]
        // The app's own identifiers first, then the deliveries Tally sent: Tally's record wins a disagreement.
        if try await database.columnNames(ofTable: "token_usage").contains("meter_event_identifier") {
            for batch in SQLStatement.batches(identifiers) {
                for row in try await sql.query("""
                    SELECT CAST(id AS TEXT) AS id, CAST(meter_event_identifier AS TEXT) AS identifier FROM token_usage
                    WHERE meter_event_identifier IN (\(list: Array(batch)))
                    """) {
                    rows[try row["identifier"]] = try row["id"]
                }
            }
        }
        for batch in SQLStatement.batches(identifiers) {
            for row in try await sql.query("""
                SELECT identifier, usage_row_id FROM \(raw: prefix)meter_event_deliveries WHERE identifier IN (\(list: Array(batch)))
                """) {
                rows[try row["identifier"]] = try row["usage_row_id"]
            }
        }
        // Tally's derived identifier names its row.
        for identifier in identifiers where rows[identifier] == nil && identifier.hasPrefix("tu_") && identifier.count > 3 {
            rows[identifier] = String(identifier.dropFirst(3))
        }
        return rows
    }

    func recordMeterErrorReport(_ report: MeterErrorReportRecord, rejecting identifiers: [String]) async throws -> Int {
        let p = prefix
        return try await sql.transaction { sql in
            let inserted = try await sql.query("""
                INSERT INTO \(raw: p)meter_error_reports (event_id, event_type, meter_id, error_count, window_start, window_end, codes,
                                                          rows_matched, created, recorded_at)
                VALUES (\(report.eventID), \(report.eventType), \(report.meterID), \(report.errorCount), \(report.windowStart),
                        \(report.windowEnd), \(report.codes), \(report.rowsMatched), \(report.created), \(report.recordedAt))
                ON CONFLICT (event_id) DO NOTHING
                RETURNING event_id
                """)
            guard !inserted.isEmpty else { return 0 }
            var marked = 0
            for batch in SQLStatement.batches(identifiers) {
                marked += try await sql.query("""
                    UPDATE \(raw: p)meter_event_deliveries
                    SET status = 'rejected', last_error = \("Stripe reported it invalid after accepting it (\(report.eventType) \(report.eventID))"),
                        updated_at = \(report.recordedAt)
                    WHERE identifier IN (\(list: Array(batch))) AND status IN ('sent', 'unconfirmed', 'pending')
                    RETURNING identifier
                    """).count
            }
            return marked
        }
    }

    func newestMeterErrorReport() async throws -> Date? {
        try await sql.queryOne("SELECT MAX(created) AS newest FROM \(raw: prefix)meter_error_reports")?["newest"]
    }
}
