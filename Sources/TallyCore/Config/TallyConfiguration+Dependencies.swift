import Foundation

extension TallyConfiguration {
    /// The store settings, with `DATABASE_URL` parsed (a bad URL is a configuration error naming the key).
    public func storeConfiguration() throws -> StoreConfiguration {
        StoreConfiguration(location: try DatabaseLocation(parsing: database.url.revealed), usageQuery: database.usageQuery)
    }

    /// The Stripe client settings.
    public var stripeClientConfiguration: StripeClientConfiguration {
        StripeClientConfiguration(
            apiKey: stripe.secretKey,
            apiBase: stripe.apiBase.absoluteString.hasSuffix("/") ? String(stripe.apiBase.absoluteString.dropLast()) : stripe.apiBase.absoluteString,
            apiVersion: stripe.apiVersion,
            maxRequestsPerSecond: stripe.maxRequestsPerSecond,
            maxAttempts: stripe.maxAttempts,
            requestTimeout: .seconds(stripe.requestTimeout),
            circuitBreakerThreshold: stripe.circuitBreakerThreshold)
    }
}
