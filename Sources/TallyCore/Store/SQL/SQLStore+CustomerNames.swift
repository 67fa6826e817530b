import Foundation

// Names read from the billing events' customer table, in batches that stay under both backends' limits
// on bound parameters.
extension SQLStore: CustomerNameCache {
    func customerNames(among ids: [String]) async throws -> [String: String] {
        var names: [String: String] = [:]
        for batch in SQLStatement.batches(ids) {
            for row in try await sql.query("""
                SELECT customer_id, name FROM \(raw: prefix)billing_customers
                WHERE customer_id IN (\(list: Array(batch))) AND name IS NOT NULL AND name <> ''
                """) {
                names[try row["customer_id"]] = try row["name"] as String
            }
        }
        return names
    }
}
