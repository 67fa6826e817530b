/// Stripe products' metadata as fetched in this run: a run of many subscription events on one plan asks
/// Stripe once per product, not once per event.
actor ProductMetadataCache {
    private var fetched: [String: [String: String]] = [:]

    /// The metadata of `products`, fetching those not seen yet in this run, one after another.
    func metadata(of products: Set<String>, stripe: any StripeAPI) async throws -> [String: [String: String]] {
        for product in products.sorted() where fetched[product] == nil {
            fetched[product] = try await stripe.product(id: product).metadata ?? [:]
        }
        return fetched.filter { products.contains($0.key) }
    }
}
