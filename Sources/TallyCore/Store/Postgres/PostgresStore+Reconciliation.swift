import Foundation
import PostgresNIO

extension PostgresStore {
    /// Windows per multi-row INSERT: 10 parameters each.
    static let windowBatchSize = 1_000

    func saveReconciliation(_ reconciliation: MeterReconciliation, jobRunID: Int64?, createdAt: Date) async throws -> Int64 {
        let p = prefix
        let created = StoredTime.seconds(createdAt)
        let logger = self.logger
        return try await client.withTransaction(logger: logger) { connection in
            var binds = PostgresBindings()
            binds.append(jobRunID)
            binds.append(reconciliation.meterID)
            binds.append(reconciliation.formula.rawValue)
            binds.append(StoredTime.seconds(reconciliation.start))
            binds.append(StoredTime.seconds(reconciliation.end))
            binds.append(Int64(reconciliation.customers))
            binds.append(reconciliation.localTotal)
            binds.append(reconciliation.stripeTotal)
            binds.append(Int64(reconciliation.discrepancies.count))
            binds.append(reconciliation.absoluteDiscrepancy)
            binds.append(reconciliation.badRows.missingTeam)
            binds.append(reconciliation.badRows.negativeTokens)
            binds.append(reconciliation.badRows.futureTimestamp)
            binds.append(Int64(reconciliation.failedCustomers.count))
            binds.append(reconciliation.storedStatus)
            binds.append(created)
            binds.append(reconciliation.badRows.notWholeNumber)
            binds.append(reconciliation.badRows.tooLarge)
            binds.append(reconciliation.badRows.unreadableTimestamp)
            binds.append(reconciliation.badRows.totalOverflow)
            binds.append(reconciliation.badRows.duplicateID)
            let inserted = try await connection.query(PostgresQuery(unsafeSQL: """
                INSERT INTO \(p)reconciliation_runs
                    (job_run_id, meter_id, formula, range_start, range_end, customers, local_total, stripe_total,
                     discrepancies, absolute_discrepancy, bad_rows_missing_team, bad_rows_negative_tokens,
                     bad_rows_future_timestamp, failed_customers, status, created_at, bad_rows_not_whole,
                     bad_rows_too_large, bad_rows_unreadable_time, bad_rows_total_overflow, bad_rows_duplicate_id)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
                RETURNING id
                """, binds: binds), logger: logger)
            var runID: Int64?
            for try await id in inserted.decode(Int64.self) { runID = id }
            guard let runID else { throw StoredRecordMissing(table: "\(p)reconciliation_runs", id: 0) }

            let windows = reconciliation.windows
            for start in stride(from: 0, to: windows.count, by: Self.windowBatchSize) {
                var binds = PostgresBindings()
                var tuples: [String] = []
                for w in windows[start..<min(start + Self.windowBatchSize, windows.count)] {
                    let n = binds.count
                    tuples.append("(" + (1...10).map { "$\(n + $0)" }.joined(separator: ", ") + ")")
                    binds.append(runID)
                    binds.append(w.customerID)
                    binds.append(w.teamID)
                    binds.append(w.meterID)
                    binds.append(StoredTime.seconds(w.start))
                    binds.append(StoredTime.seconds(w.end))
                    binds.append(w.granularity.rawValue)
                    binds.append(w.localValue)
                    binds.append(w.stripeValue)
                    binds.append(w.matches ? "matched" : "discrepant")
                }
                try await connection.query(PostgresQuery(unsafeSQL: """
                    INSERT INTO \(p)reconciliation_windows
                        (reconciliation_run_id, customer_id, team_id, meter_id, window_start, window_end, granularity,
                         local_value, stripe_value, status)
                    VALUES \(tuples.joined(separator: ",\n       "))
                    """, binds: binds), logger: logger)
            }

            for d in reconciliation.discrepancies {
                var binds = PostgresBindings()
                binds.append(runID)
                binds.append(d.customerID)
                binds.append(d.teamID)
                binds.append(d.meterID)
                binds.append(StoredTime.seconds(d.windowStart))
                binds.append(StoredTime.seconds(d.windowEnd))
                binds.append(d.localValue)
                binds.append(d.stripeValue)
                binds.append(d.difference)
                binds.append(d.kind.rawValue)
                binds.append(d.repair.rawValue)
                binds.append(d.suggestedAction)
                binds.append(created)
                let rows = try await connection.query(PostgresQuery(unsafeSQL: """
                    INSERT INTO \(p)discrepancies
                        (reconciliation_run_id, customer_id, team_id, meter_id, window_start, window_end, local_value,
                         stripe_value, difference, kind, repair, suggested_action, created_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                    RETURNING id
                    """, binds: binds), logger: logger)
                var discrepancyID: Int64 = 0
                for try await id in rows.decode(Int64.self) { discrepancyID = id }
                guard !d.usageRowIDs.isEmpty else { continue }
                var rowBinds = PostgresBindings()
                rowBinds.append(discrepancyID)
                rowBinds.append(d.usageRowIDs)
                try await connection.query(PostgresQuery(unsafeSQL: """
                    INSERT INTO \(p)discrepancy_rows (discrepancy_id, usage_row_id)
                    SELECT $1, row_id FROM unnest($2::text[]) AS row_id
                    ON CONFLICT DO NOTHING
                    """, binds: rowBinds), logger: logger)
            }
            return runID
        }
    }

    func reconciliationRuns(jobRunID: Int64?) async throws -> [StoredReconciliationRun] {
        var binds = PostgresBindings()
        binds.append(jobRunID)
        let rows = try await client.query(PostgresQuery(unsafeSQL: """
            SELECT id, job_run_id, meter_id, formula, range_start, range_end, customers, local_total, stripe_total,
                   discrepancies, absolute_discrepancy, bad_rows_missing_team, bad_rows_negative_tokens,
                   bad_rows_future_timestamp, failed_customers, status, created_at, bad_rows_not_whole,
                   bad_rows_too_large, bad_rows_unreadable_time, bad_rows_total_overflow, bad_rows_duplicate_id
            FROM \(prefix)reconciliation_runs
            WHERE $1::bigint IS NULL OR job_run_id = $1
            ORDER BY id DESC
            """, binds: binds), logger: logger)
        var runs: [StoredReconciliationRun] = []
        for try await row in rows {
            let r = row.makeRandomAccess()
            runs.append(StoredReconciliationRun(
                id: try r[0].decode(Int64.self), jobRunID: try r[1].decode(Int64?.self),
                meterID: try r[2].decode(String.self), formula: try r[3].decode(String.self),
                start: StoredTime.date(try r[4].decode(Int64.self)), end: StoredTime.date(try r[5].decode(Int64.self)),
                customers: try r[6].decode(Int64.self), localTotal: try r[7].decode(Int64.self),
                stripeTotal: try r[8].decode(Int64.self), discrepancies: try r[9].decode(Int64.self),
                absoluteDiscrepancy: try r[10].decode(Int64.self),
                badRows: BadUsageRows(missingTeam: try r[11].decode(Int64.self), negativeTokens: try r[12].decode(Int64.self),
                                      futureTimestamp: try r[13].decode(Int64.self), notWholeNumber: try r[17].decode(Int64.self),
                                      tooLarge: try r[18].decode(Int64.self), unreadableTimestamp: try r[19].decode(Int64.self),
                                      totalOverflow: try r[20].decode(Int64.self), duplicateID: try r[21].decode(Int64.self)),
                failedCustomers: try r[14].decode(Int64.self), status: try r[15].decode(String.self),
                createdAt: StoredTime.date(try r[16].decode(Int64.self))))
        }
        return runs
    }

    func discrepancies(reconciliationRunID: Int64) async throws -> [StoredDiscrepancy] {
        var binds = PostgresBindings()
        binds.append(reconciliationRunID)
        let rowIDRows = try await client.query(PostgresQuery(unsafeSQL: """
            SELECT r.discrepancy_id, r.usage_row_id FROM \(prefix)discrepancy_rows r
            JOIN \(prefix)discrepancies d ON d.id = r.discrepancy_id
            WHERE d.reconciliation_run_id = $1
            ORDER BY r.discrepancy_id, r.ctid
            """, binds: binds), logger: logger)
        var rowIDs: [Int64: [String]] = [:]
        for try await (id, usageRowID) in rowIDRows.decode((Int64, String).self) { rowIDs[id, default: []].append(usageRowID) }
        let rows = try await client.query(PostgresQuery(unsafeSQL: """
            SELECT id, customer_id, team_id, meter_id, window_start, window_end, local_value, stripe_value,
                   difference, kind, repair, suggested_action, resolution
            FROM \(prefix)discrepancies WHERE reconciliation_run_id = $1 ORDER BY id
            """, binds: binds), logger: logger)
        var result: [StoredDiscrepancy] = []
        for try await row in rows {
            let r = row.makeRandomAccess()
            let id = try r[0].decode(Int64.self)
            result.append(StoredDiscrepancy(
                id: id, reconciliationRunID: reconciliationRunID,
                discrepancy: try StoredReconciliationValues.discrepancy(
                    id: id, kind: try r[9].decode(String.self), repair: try r[10].decode(String.self),
                    meterID: try r[3].decode(String.self), customerID: try r[1].decode(String?.self),
                    teamID: try r[2].decode(String?.self), windowStart: try r[4].decode(Int64.self),
                    windowEnd: try r[5].decode(Int64.self), localValue: try r[6].decode(Int64.self),
                    stripeValue: try r[7].decode(Int64.self), difference: try r[8].decode(Int64.self),
                    suggestedAction: try r[11].decode(String.self), usageRowIDs: rowIDs[id] ?? []),
                resolution: try r[12].decode(String?.self)))
        }
        return result
    }

    func reconciliationWindows(reconciliationRunID: Int64) async throws -> [ReconciliationWindow] {
        var binds = PostgresBindings()
        binds.append(reconciliationRunID)
        let rows = try await client.query(PostgresQuery(unsafeSQL: """
            SELECT id, customer_id, team_id, meter_id, window_start, window_end, granularity, local_value, stripe_value
            FROM \(prefix)reconciliation_windows WHERE reconciliation_run_id = $1 ORDER BY id
            """, binds: binds), logger: logger)
        var windows: [ReconciliationWindow] = []
        for try await (id, customer, team, meter, start, end, granularity, local, stripe)
            in rows.decode((Int64, String, String?, String, Int64, Int64, String, Int64, Int64).self) {
            windows.append(try StoredReconciliationValues.window(
                id: id, meterID: meter, customerID: customer, teamID: team, start: start, end: end,
                granularity: granularity, localValue: local, stripeValue: stripe))
        }
        return windows
    }

    func customersWithUsage(among customerIDs: [String]) async throws -> Set<String> {
        var found = Set<String>()
        for start in stride(from: 0, to: customerIDs.count, by: UsageSQL.customerBatchSize) {
            let batch = Array(customerIDs[start..<min(start + UsageSQL.customerBatchSize, customerIDs.count)])
            var binds = PostgresBindings()
            for id in batch { binds.append(id) }
            let rows = try await client.query(
                PostgresQuery(unsafeSQL: usageSQL.customersWithUsage(count: batch.count), binds: binds), logger: logger)
            for try await customer in rows.decode(String?.self) { if let customer { found.insert(customer) } }
        }
        return found
    }
}
