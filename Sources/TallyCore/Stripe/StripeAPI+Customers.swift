import Foundation

/// Customers.
extension StripeAPI {
    /// `GET /v1/customers/{id}`.
    public func customer(id: String) async throws -> Customer {
        try await send(.get("/v1/customers/\(StripePath.segment(id))")).decode(Customer.self)
    }
}
