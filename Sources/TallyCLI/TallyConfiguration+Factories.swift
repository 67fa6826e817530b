import Foundation
import TallyCore

/// What the settings ask the composition root to build: the store, the Stripe client, the mailer.
extension TallyConfiguration {
    /// The store settings, with `DATABASE_URL` parsed (a bad URL is a configuration error naming the key).
    /// `requiringAppDatabase`: the database must already exist and hold the usage query's table (jobs).
    public func storeConfiguration(requiringAppDatabase: Bool = false) throws -> StoreConfiguration {
        guard let url = database.url else {
            throw ConfigurationError(key: SettingKey.databaseURL.rawValue, problem: "is not set",
                                     fix: "set it to the app's database, e.g. sqlite:/var/lib/app/app.sqlite or postgres://tally:PASSWORD@db:5432/app")
        }
        var store = StoreConfiguration(location: try DatabaseLocation(parsing: url.revealed), usageQuery: database.usageQuery)
        store.requiresAppDatabase = requiringAppDatabase
        return store
    }

    /// The Stripe client settings.
    public var stripeClientConfiguration: StripeClientConfiguration {
        StripeClientConfiguration(
            apiKey: stripe.secretKey,
            apiBase: stripe.apiBase.absoluteString.hasSuffix("/") ? String(stripe.apiBase.absoluteString.dropLast()) : stripe.apiBase.absoluteString,
            apiVersion: stripe.apiVersion,
            // 0 in a setting means Stripe's default (nil here), never "no limit".
            maxRequestsPerSecond: stripe.maxRequestsPerSecond > 0 ? stripe.maxRequestsPerSecond : nil,
            meterEventMaxRequestsPerSecond: stripe.meterEventMaxRequestsPerSecond > 0 ? stripe.meterEventMaxRequestsPerSecond : nil,
            maxAttempts: stripe.maxAttempts,
            requestTimeout: .seconds(stripe.requestTimeout),
            circuitBreakerThreshold: stripe.circuitBreakerThreshold)
    }

    /// The mailer the settings ask for: SMTP when `SMTP_URL` is set, the outbox otherwise.
    public func makeMailer() -> any Mailer {
        if let smtp = mail.smtpURL { return SMTPMailer(url: smtp) }
        return OutboxMailer(directory: output.outboxDirectory)
    }
}
