/// The customer names the billing events keep current (`tally_billing_customers`, from `customer.*`
/// events), read so an email names its customers without a Stripe call for each.
public protocol CustomerNameCache: Sendable {
    /// The stored, non-empty name of each of `ids` that has one.
    func customerNames(among ids: [String]) async throws -> [String: String]
}
