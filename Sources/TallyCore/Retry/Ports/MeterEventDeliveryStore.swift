import Foundation

/// Keeps `tally_meter_event_deliveries`: one row per usage row `tally-retry` handles, written before the
/// event is sent, so a run killed at any point and run again never sends an identifier twice.
public protocol MeterEventDeliveryStore: Sendable {
    /// The stored deliveries with these identifiers, in no particular order.
    func deliveries(identifiers: [String]) async throws -> [MeterEventDelivery]

    /// Inserts each delivery whose identifier is not stored yet, all in one transaction, and returns the
    /// stored row of every identifier given (the earlier row where one existed), in no particular order.
    func recordDeliveries(_ deliveries: [MeterEventDelivery]) async throws -> [MeterEventDelivery]

    /// Stores the outcome of one attempt per delivery (status, attempts, error, Request-Id, key, sent time)
    /// by identifier, all in one transaction: either every outcome is stored or none is.
    func updateDeliveries(_ deliveries: [MeterEventDelivery]) async throws

    /// Every delivery with `status`, oldest first (`tally-retry` settles its `unconfirmed` ones each run).
    func deliveries(status: MeterEventDeliveryStatus) async throws -> [MeterEventDelivery]

    /// The `sent` deliveries of `customerID` for `eventName` with event timestamps in `[start, end)`, oldest first.
    func sentDeliveries(customerID: String, eventName: String, from start: Date, to end: Date) async throws -> [MeterEventDelivery]

    /// Closes a stored discrepancy (`tally_discrepancies.resolution`), so later runs leave it alone.
    func resolveDiscrepancy(id: Int64, resolution: String) async throws
}

extension MeterEventDeliveryStore {
    /// Inserts `delivery` unless its identifier is already stored, and returns the stored row either way.
    public func recordDelivery(_ delivery: MeterEventDelivery) async throws -> MeterEventDelivery {
        guard let stored = try await recordDeliveries([delivery]).first else {
            throw StoredRecordMissing(table: "meter_event_deliveries", id: 0)
        }
        return stored
    }

    /// Stores the outcome of one attempt by identifier.
    public func updateDelivery(_ delivery: MeterEventDelivery) async throws {
        try await updateDeliveries([delivery])
    }
}
