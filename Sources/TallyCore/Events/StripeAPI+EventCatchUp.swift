import Foundation

/// Events for the catch-up, with their JSON kept.
extension StripeAPI {
    /// Events of `types` created after `createdAfter`, with their JSON, oldest first.
    ///
    /// Like `events(types:createdAfter:)`, but keeping each event's JSON for the audit trail. Stripe lists
    /// newest first and accepts at most 20 types per call, so the types are asked for in groups of 20 and
    /// the whole result is sorted before anything is stored: storing newest first would make an interrupted
    /// run resume after events it never stored.
    public func eventsWithPayloads(types: [String], createdAfter: Date) async throws -> [FetchedStripeEvent] {
        var byID: [String: FetchedStripeEvent] = [:]
        for start in stride(from: 0, to: max(types.count, 1), by: 20) {
            var parameters: [String: FormValue] = ["created": ["gt": .timestamp(createdAfter)]]
            let group = types[start..<min(start + 20, types.count)]
            if !group.isEmpty { parameters["types"] = .list(group.map { .string($0) }) }
            for event in try await list(FetchedStripeEvent.self, path: "/v1/events", parameters: parameters) {
                byID[event.event.id] = event
            }
        }
        return byID.values.sorted { ($0.event.created, $0.event.id) < ($1.event.created, $1.event.id) }
    }
}
