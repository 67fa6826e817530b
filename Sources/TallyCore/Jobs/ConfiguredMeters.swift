/// The meters of `STRIPE_METER_ID`, fetched once at the start of the jobs that send or judge usage. This is
/// the only check that Stripe knows them: a typo or a meter of the other mode stops the job naming the setting
/// (exit 78) instead of failing later as bad data.
public enum ConfiguredMeters {
    /// The setting the errors name (spelled out: the jobs do not depend on `Config`, which builds them).
    static let setting = "STRIPE_METER_ID"

    /// Fetches each meter, in the configured order; every id Stripe does not know is named in one
    /// `STRIPE_METER_ID` error. Other failures (unreachable, not Stripe at all, a rejected key) are thrown
    /// as they are.
    public static func fetch(_ ids: [String], stripe: any StripeAPI) async throws -> [Meter] {
        guard !ids.isEmpty else {
            throw ConfigurationError(key: setting, problem: "is not set",
                                     fix: "set it to the meter id(s) to reconcile and re-send usage to, comma-separated")
        }
        var meters: [Meter] = []
        var unknown: [(id: String, stripeSays: String)] = []
        for id in ids {
            do {
                meters.append(try await stripe.meter(id: id))
            } catch let error as StripeError where error.httpStatus == 404 && !error.stripeNotReached {
                let detail = error.stripeError
                unknown.append((id, detail?.message ?? detail?.code ?? "404"))
            }
        }
        guard !unknown.isEmpty else { return meters }
        let names = unknown.map(\.id).joined(separator: ", ")
        throw ConfigurationError(
            key: setting,
            problem: "names \(names), which Stripe does not know for this key (Stripe says: \(unknown[0].stripeSays))",
            fix: "copy the meter id from the Stripe Dashboard (Billing → Meters) in the same mode, test or live, as STRIPE_SECRET_KEY")
    }
}
