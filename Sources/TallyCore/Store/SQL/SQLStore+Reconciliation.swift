import Foundation

extension SQLStore: ReconciliationStore {
    static let windowColumns = ["reconciliation_run_id", "customer_id", "team_id", "meter_id", "window_start", "window_end",
                                "granularity", "local_value", "stripe_value", "status"]

    func saveReconciliation(_ reconciliation: MeterReconciliation, jobRunID: Int64?, createdAt: Date) async throws -> Int64 {
        let p = prefix
        return try await sql.transaction { sql in
            let bad = reconciliation.badRows
            let inserted = try await sql.queryOne("""
                INSERT INTO \(raw: p)reconciliation_runs
                    (job_run_id, meter_id, formula, range_start, range_end, customers, local_total, stripe_total,
                     discrepancies, absolute_discrepancy, bad_rows_missing_team, bad_rows_negative_tokens,
                     bad_rows_future_timestamp, failed_customers, status, created_at, bad_rows_not_whole,
                     bad_rows_too_large, bad_rows_unreadable_time, bad_rows_total_overflow, bad_rows_duplicate_id)
                VALUES (\(jobRunID), \(reconciliation.meterID), \(reconciliation.formula.rawValue), \(reconciliation.start),
                        \(reconciliation.end), \(reconciliation.customers), \(reconciliation.localTotal), \(reconciliation.stripeTotal),
                        \(reconciliation.discrepancies.count), \(reconciliation.absoluteDiscrepancy), \(bad.missingTeam),
                        \(bad.negativeTokens), \(bad.futureTimestamp), \(reconciliation.failedCustomers.count),
                        \(reconciliation.storedStatus), \(createdAt), \(bad.notWholeNumber), \(bad.tooLarge),
                        \(bad.unreadableTimestamp), \(bad.totalOverflow), \(bad.duplicateID))
                RETURNING id
                """)
            guard let inserted else { throw StoredRecordMissing(table: "\(p)reconciliation_runs", id: 0) }
            let runID: Int64 = try inserted["id"]

            for batch in SQLStatement.batches(reconciliation.windows, columns: Self.windowColumns.count) {
                try await sql.execute(.insert(into: "\(p)reconciliation_windows", columns: Self.windowColumns, rows: batch.map { w in
                    [runID, w.customerID, w.teamID, w.meterID, w.start, w.end, w.granularity.rawValue, w.localValue,
                     w.stripeValue, w.matches ? "matched" : "discrepant"]
                }))
            }

            for d in reconciliation.discrepancies {
                let stored = try await sql.queryOne("""
                    INSERT INTO \(raw: p)discrepancies
                        (reconciliation_run_id, customer_id, team_id, meter_id, window_start, window_end, local_value,
                         stripe_value, difference, kind, repair, suggested_action, created_at)
                    VALUES (\(runID), \(d.customerID), \(d.teamID), \(d.meterID), \(d.windowStart), \(d.windowEnd),
                            \(d.localValue), \(d.stripeValue), \(d.difference), \(d.kind.rawValue), \(d.repair.rawValue),
                            \(d.suggestedAction), \(createdAt))
                    RETURNING id
                    """)
                guard let stored else { throw StoredRecordMissing(table: "\(p)discrepancies", id: 0) }
                let discrepancyID: Int64 = try stored["id"]
                for batch in SQLStatement.batches(d.usageRowIDs, columns: 2) {
                    try await sql.execute(.insert(into: "\(p)discrepancy_rows", columns: ["discrepancy_id", "usage_row_id"],
                                                  rows: batch.map { [discrepancyID, $0] }, suffix: "ON CONFLICT DO NOTHING"))
                }
            }
            return runID
        }
    }

    func reconciliationRuns(jobRunID: Int64?) async throws -> [StoredReconciliationRun] {
        try await sql.query("""
            SELECT id, job_run_id, meter_id, formula, range_start, range_end, customers, local_total, stripe_total,
                   discrepancies, absolute_discrepancy, bad_rows_missing_team, bad_rows_negative_tokens,
                   bad_rows_future_timestamp, failed_customers, status, created_at, bad_rows_not_whole,
                   bad_rows_too_large, bad_rows_unreadable_time, bad_rows_total_overflow, bad_rows_duplicate_id
            FROM \(raw: prefix)reconciliation_runs
            WHERE CAST(\(jobRunID) AS BIGINT) IS NULL OR job_run_id = \(jobRunID)
            ORDER BY id DESC
            """).map { row in
            StoredReconciliationRun(
                id: try row["id"], jobRunID: try row["job_run_id"], meterID: try row["meter_id"], formula: try row["formula"],
                start: try row["range_start"], end: try row["range_end"], customers: try row["customers"],
                localTotal: try row["local_total"], stripeTotal: try row["stripe_total"], discrepancies: try row["discrepancies"],
                absoluteDiscrepancy: try row["absolute_discrepancy"],
                badRows: BadUsageRows(missingTeam: try row["bad_rows_missing_team"], negativeTokens: try row["bad_rows_negative_tokens"],
                                      futureTimestamp: try row["bad_rows_future_timestamp"], notWholeNumber: try row["bad_rows_not_whole"],
                                      tooLarge: try row["bad_rows_too_large"], unreadableTimestamp: try row["bad_rows_unreadable_time"],
                                      totalOverflow: try row["bad_rows_total_overflow"], duplicateID: try row["bad_rows_duplicate_id"]),
                failedCustomers: try row["failed_customers"], status: try row["status"], createdAt: try row["created_at"])
        }
    }

    func discrepancies(reconciliationRunID: Int64) async throws -> [StoredDiscrepancy] {
        var rowIDs: [Int64: [String]] = [:]
        for row in try await sql.query("""
            SELECT r.discrepancy_id, r.usage_row_id FROM \(raw: prefix)discrepancy_rows r
            JOIN \(raw: prefix)discrepancies d ON d.id = r.discrepancy_id
            WHERE d.reconciliation_run_id = \(reconciliationRunID)
            ORDER BY r.discrepancy_id, \(raw: backend.insertionOrder("r"))
            """) {
            rowIDs[try row["discrepancy_id"], default: []].append(try row["usage_row_id"])
        }
        return try await sql.query("""
            SELECT id, customer_id, team_id, meter_id, window_start, window_end, local_value, stripe_value,
                   difference, kind, repair, suggested_action, resolution
            FROM \(raw: prefix)discrepancies WHERE reconciliation_run_id = \(reconciliationRunID) ORDER BY id
            """).map { row in
            let id: Int64 = try row["id"]
            return StoredDiscrepancy(
                id: id, reconciliationRunID: reconciliationRunID,
                discrepancy: try StoredReconciliationValues.discrepancy(
                    id: id, kind: try row["kind"], repair: try row["repair"], meterID: try row["meter_id"],
                    customerID: try row["customer_id"], teamID: try row["team_id"], windowStart: try row["window_start"],
                    windowEnd: try row["window_end"], localValue: try row["local_value"], stripeValue: try row["stripe_value"],
                    difference: try row["difference"], suggestedAction: try row["suggested_action"], usageRowIDs: rowIDs[id] ?? []),
                resolution: try row["resolution"])
        }
    }

    func reconciliationWindows(reconciliationRunID: Int64) async throws -> [ReconciliationWindow] {
        try await sql.query("""
            SELECT id, customer_id, team_id, meter_id, window_start, window_end, granularity, local_value, stripe_value
            FROM \(raw: prefix)reconciliation_windows WHERE reconciliation_run_id = \(reconciliationRunID) ORDER BY id
            """).map { row in
            try StoredReconciliationValues.window(
                id: try row["id"], meterID: try row["meter_id"], customerID: try row["customer_id"], teamID: try row["team_id"],
                start: try row["window_start"], end: try row["window_end"], granularity: try row["granularity"],
                localValue: try row["local_value"], stripeValue: try row["stripe_value"])
        }
    }

    func customersWithUsage(among customerIDs: [String]) async throws -> Set<String> {
        var found = Set<String>()
        for start in stride(from: 0, to: customerIDs.count, by: UsageSQL.customerBatchSize) {
            let batch = Array(customerIDs[start..<min(start + UsageSQL.customerBatchSize, customerIDs.count)])
            let statement = SQLStatement(prepared: usageSQL.customersWithUsage(count: batch.count), arguments: batch)
            for row in try await readingUsage({ try await sql.query(statement) }) {
                found.insert(try row["customer"])
            }
        }
        return found
    }
}
