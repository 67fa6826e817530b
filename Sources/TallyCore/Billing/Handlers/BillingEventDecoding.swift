import Foundation

/// Decodes a stored event and its object; anything that does not decode is `StripeEventPayloadInvalid`,
/// which the queue retries and then dead-letters with the reason.
enum BillingEventDecoding {
    static func event(_ record: StripeEventRecord) throws -> StripeEvent {
        do {
            return try StripeDecoding.decoder().decode(StripeEvent.self, from: Data(record.payload.utf8))
        } catch {
            throw invalid(record, "the payload is not a Stripe event (\(DecodingProblem.describe(error)))")
        }
    }

    static func object<T: Decodable>(_ type: T.Type, of event: StripeEvent, _ record: StripeEventRecord, named name: String) throws -> T {
        do {
            return try event.object(as: type)
        } catch {
            throw invalid(record, "data.object is not \(name) (\(DecodingProblem.describe(error)))")
        }
    }

    static func invalid(_ record: StripeEventRecord, _ problem: String) -> StripeEventPayloadInvalid {
        StripeEventPayloadInvalid(eventID: record.eventID, eventType: record.eventType, problem: problem)
    }
}
