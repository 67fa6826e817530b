import Foundation
import GRDB

extension SQLiteStore {
    func saveReconciliation(_ reconciliation: MeterReconciliation, jobRunID: Int64?, createdAt: Date) async throws -> Int64 {
        let p = prefix
        let created = StoredTime.seconds(createdAt)
        return try await writer.write { db in
            try db.execute(sql: """
                INSERT INTO \(p)reconciliation_runs
                    (job_run_id, meter_id, formula, range_start, range_end, customers, local_total, stripe_total,
                     discrepancies, absolute_discrepancy, bad_rows_missing_team, bad_rows_negative_tokens,
                     bad_rows_future_timestamp, failed_customers, status, created_at, bad_rows_not_whole,
                     bad_rows_too_large, bad_rows_unreadable_time, bad_rows_total_overflow, bad_rows_duplicate_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [
                    jobRunID, reconciliation.meterID, reconciliation.formula.rawValue,
                    StoredTime.seconds(reconciliation.start), StoredTime.seconds(reconciliation.end),
                    reconciliation.customers, reconciliation.localTotal, reconciliation.stripeTotal,
                    reconciliation.discrepancies.count, reconciliation.absoluteDiscrepancy,
                    reconciliation.badRows.missingTeam, reconciliation.badRows.negativeTokens,
                    reconciliation.badRows.futureTimestamp, reconciliation.failedCustomers.count,
                    reconciliation.storedStatus, created, reconciliation.badRows.notWholeNumber,
                    reconciliation.badRows.tooLarge, reconciliation.badRows.unreadableTimestamp,
                    reconciliation.badRows.totalOverflow, reconciliation.badRows.duplicateID,
                ])
            let runID = db.lastInsertedRowID
            let window = try db.cachedStatement(sql: """
                INSERT INTO \(p)reconciliation_windows
                    (reconciliation_run_id, customer_id, team_id, meter_id, window_start, window_end, granularity,
                     local_value, stripe_value, status)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for w in reconciliation.windows {
                try window.execute(arguments: [
                    runID, w.customerID, w.teamID, w.meterID, StoredTime.seconds(w.start), StoredTime.seconds(w.end),
                    w.granularity.rawValue, w.localValue, w.stripeValue, w.matches ? "matched" : "discrepant",
                ])
            }
            let discrepancy = try db.cachedStatement(sql: """
                INSERT INTO \(p)discrepancies
                    (reconciliation_run_id, customer_id, team_id, meter_id, window_start, window_end, local_value,
                     stripe_value, difference, kind, repair, suggested_action, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let row = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO \(p)discrepancy_rows (discrepancy_id, usage_row_id) VALUES (?, ?)
                """)
            for d in reconciliation.discrepancies {
                try discrepancy.execute(arguments: [
                    runID, d.customerID, d.teamID, d.meterID, StoredTime.seconds(d.windowStart),
                    StoredTime.seconds(d.windowEnd), d.localValue, d.stripeValue, d.difference, d.kind.rawValue,
                    d.repair.rawValue, d.suggestedAction, created,
                ])
                let discrepancyID = db.lastInsertedRowID
                for usageRowID in d.usageRowIDs { try row.execute(arguments: [discrepancyID, usageRowID]) }
            }
            return runID
        }
    }

    func reconciliationRuns(jobRunID: Int64?) async throws -> [StoredReconciliationRun] {
        let sql = """
            SELECT id, job_run_id, meter_id, formula, range_start, range_end, customers, local_total, stripe_total,
                   discrepancies, absolute_discrepancy, bad_rows_missing_team, bad_rows_negative_tokens,
                   bad_rows_future_timestamp, failed_customers, status, created_at, bad_rows_not_whole,
                   bad_rows_too_large, bad_rows_unreadable_time, bad_rows_total_overflow, bad_rows_duplicate_id
            FROM \(prefix)reconciliation_runs
            WHERE ?1 IS NULL OR job_run_id = ?1
            ORDER BY id DESC
            """
        return try await writer.read { db in
            try Row.fetchAll(db, sql: sql, arguments: [jobRunID]).map { row in
                StoredReconciliationRun(
                    id: row["id"], jobRunID: row["job_run_id"], meterID: row["meter_id"], formula: row["formula"],
                    start: StoredTime.date(row["range_start"]), end: StoredTime.date(row["range_end"]),
                    customers: row["customers"], localTotal: row["local_total"], stripeTotal: row["stripe_total"],
                    discrepancies: row["discrepancies"], absoluteDiscrepancy: row["absolute_discrepancy"],
                    badRows: BadUsageRows(missingTeam: row["bad_rows_missing_team"],
                                          negativeTokens: row["bad_rows_negative_tokens"],
                                          futureTimestamp: row["bad_rows_future_timestamp"],
                                          notWholeNumber: row["bad_rows_not_whole"], tooLarge: row["bad_rows_too_large"],
                                          unreadableTimestamp: row["bad_rows_unreadable_time"],
                                          totalOverflow: row["bad_rows_total_overflow"],
                                          duplicateID: row["bad_rows_duplicate_id"]),
                    failedCustomers: row["failed_customers"], status: row["status"],
                    createdAt: StoredTime.date(row["created_at"]))
            }
        }
    }

    func discrepancies(reconciliationRunID: Int64) async throws -> [StoredDiscrepancy] {
        let p = prefix
        return try await writer.read { db in
            var rowIDs: [Int64: [String]] = [:]
            let rowsSQL = """
                SELECT r.discrepancy_id, r.usage_row_id FROM \(p)discrepancy_rows r
                JOIN \(p)discrepancies d ON d.id = r.discrepancy_id
                WHERE d.reconciliation_run_id = ?
                ORDER BY r.discrepancy_id, r.rowid
                """
            for row in try Row.fetchAll(db, sql: rowsSQL, arguments: [reconciliationRunID]) {
                rowIDs[row[0], default: []].append(row[1])
            }
            let sql = """
                SELECT id, customer_id, team_id, meter_id, window_start, window_end, local_value, stripe_value,
                       difference, kind, repair, suggested_action, resolution
                FROM \(p)discrepancies WHERE reconciliation_run_id = ? ORDER BY id
                """
            return try Row.fetchAll(db, sql: sql, arguments: [reconciliationRunID]).map { row in
                let id: Int64 = row["id"]
                return StoredDiscrepancy(
                    id: id, reconciliationRunID: reconciliationRunID,
                    discrepancy: try StoredReconciliationValues.discrepancy(
                        id: id, kind: row["kind"], repair: row["repair"], meterID: row["meter_id"], customerID: row["customer_id"],
                        teamID: row["team_id"], windowStart: row["window_start"], windowEnd: row["window_end"],
                        localValue: row["local_value"], stripeValue: row["stripe_value"], difference: row["difference"],
                        suggestedAction: row["suggested_action"], usageRowIDs: rowIDs[id] ?? []),
                    resolution: row["resolution"])
            }
        }
    }

    func reconciliationWindows(reconciliationRunID: Int64) async throws -> [ReconciliationWindow] {
        let sql = """
            SELECT id, customer_id, team_id, meter_id, window_start, window_end, granularity, local_value, stripe_value
            FROM \(prefix)reconciliation_windows WHERE reconciliation_run_id = ? ORDER BY id
            """
        return try await writer.read { db in
            try Row.fetchAll(db, sql: sql, arguments: [reconciliationRunID]).map { row in
                try StoredReconciliationValues.window(
                    id: row["id"], meterID: row["meter_id"], customerID: row["customer_id"], teamID: row["team_id"],
                    start: row["window_start"], end: row["window_end"], granularity: row["granularity"],
                    localValue: row["local_value"], stripeValue: row["stripe_value"])
            }
        }
    }

    func customersWithUsage(among customerIDs: [String]) async throws -> Set<String> {
        var found = Set<String>()
        for start in stride(from: 0, to: customerIDs.count, by: UsageSQL.customerBatchSize) {
            let batch = Array(customerIDs[start..<min(start + UsageSQL.customerBatchSize, customerIDs.count)])
            let sql = usageSQL.customersWithUsage(count: batch.count)
            let names = try await writer.read { db in
                try String.fetchAll(db, sql: sql, arguments: StatementArguments(batch))
            }
            found.formUnion(names)
        }
        return found
    }
}
