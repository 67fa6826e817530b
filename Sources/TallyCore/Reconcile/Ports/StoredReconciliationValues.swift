import Foundation

/// Turns stored columns back into reconciliation values, the same way for both backends.
enum StoredReconciliationValues {
    static func discrepancy(id: Int64, kind: String, repair: String, meterID: String, customerID: String?, teamID: String?,
                            windowStart: Int64, windowEnd: Int64, localValue: Int64, stripeValue: Int64,
                            difference: Int64, suggestedAction: String, usageRowIDs: [String]) throws -> Discrepancy {
        guard let kind = DiscrepancyKind(rawValue: kind) else {
            throw StoredRecordInvalid(table: "tally_discrepancies", id: id, problem: "unknown kind \"\(kind)\"")
        }
        guard let repair = DiscrepancyRepair(rawValue: repair) else {
            throw StoredRecordInvalid(table: "tally_discrepancies", id: id, problem: "unknown repair \"\(repair)\"")
        }
        return Discrepancy(kind: kind, meterID: meterID, customerID: customerID, teamID: teamID,
                           windowStart: StoredTime.date(windowStart), windowEnd: StoredTime.date(windowEnd),
                           localValue: localValue, stripeValue: stripeValue, difference: difference, repair: repair,
                           suggestedAction: suggestedAction, usageRowIDs: usageRowIDs)
    }

    static func window(id: Int64, meterID: String, customerID: String, teamID: String?, start: Int64, end: Int64,
                       granularity: String, localValue: Int64, stripeValue: Int64) throws -> ReconciliationWindow {
        guard let granularity = ReconciliationWindow.Granularity(rawValue: granularity) else {
            throw StoredRecordInvalid(table: "tally_reconciliation_windows", id: id, problem: "unknown granularity \"\(granularity)\"")
        }
        return ReconciliationWindow(meterID: meterID, customerID: customerID, teamID: teamID,
                                    start: StoredTime.date(start), end: StoredTime.date(end), localValue: localValue,
                                    stripeValue: stripeValue, granularity: granularity)
    }
}
