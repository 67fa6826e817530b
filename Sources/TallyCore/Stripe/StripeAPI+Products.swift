import Foundation

/// Products.
extension StripeAPI {
    /// `GET /v1/products/{id}`.
    public func product(id: String) async throws -> Product {
        try await send(.get("/v1/products/\(StripePath.segment(id))")).decode(Product.self)
    }
}
