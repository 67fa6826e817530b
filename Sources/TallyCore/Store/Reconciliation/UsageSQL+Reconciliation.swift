import Foundation

extension UsageSQL {
    /// Which of `count` customers (parameterMarkers 1...count) appear in the usage at all, over any time.
    func customersWithUsage(count: Int) -> String {
        var query = usageQuery.trimmingCharacters(in: .whitespacesAndNewlines)
        while query.hasSuffix(";") { query = String(query.dropLast()).trimmingCharacters(in: .whitespacesAndNewlines) }
        let parameterMarkers = (1...max(1, count)).map { backend == .sqlite ? "?\($0)" : "$\($0)" }
        return """
            SELECT DISTINCT CAST(u.stripe_customer_id AS TEXT) AS customer
            FROM (
            \(query)
            ) AS u
            WHERE CAST(u.stripe_customer_id AS TEXT) IN (\(parameterMarkers.joined(separator: ", ")))
            """
    }

    /// Customers asked about per query, well under both engines' parameter limits.
    static let customerBatchSize = 500
}
