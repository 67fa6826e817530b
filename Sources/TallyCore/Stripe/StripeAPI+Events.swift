import Foundation

/// Events, for catching up on missed webhooks.
extension StripeAPI {
    /// Events of the given types created after `createdAfter`, oldest first (Stripe lists newest first; its
    /// recipe for missed webhooks processes them oldest first). Stripe keeps events for 30 days and accepts
    /// at most 20 types per call. `deliverySuccess: false` keeps only events some webhook failed to receive.
    public func events(types: [String] = [], createdAfter: Date? = nil,
                       deliverySuccess: Bool? = nil) async throws -> [StripeEvent] {
        var parameters: [String: FormValue] = [:]
        if !types.isEmpty { parameters["types"] = .list(types.map { .string($0) }) }
        if let createdAfter { parameters["created"] = ["gt": .timestamp(createdAfter)] }
        if let deliverySuccess { parameters["delivery_success"] = .boolean(deliverySuccess) }
        let events = try await list(StripeEvent.self, path: "/v1/events", parameters: parameters)
        return events.sorted { ($0.created, $0.id) < ($1.created, $1.id) }
    }
}
