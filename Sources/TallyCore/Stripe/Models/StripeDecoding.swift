import Foundation

/// The one JSON decoder configuration for Stripe bodies: snake_case keys, Unix-second timestamps.
public enum StripeDecoding {
    /// A fresh decoder for Stripe's JSON.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }
}
