import Foundation

/// Stripe's API-key check: `Authorization: Bearer sk_...` or basic auth with the key as user name.
enum Authentication {
    /// The 401 to answer, or nil when the key is accepted.
    static func check(_ request: SimulatorRequest, keys: Set<String>) -> StripeAPIError? {
        guard let header = request.header("Authorization"), let key = apiKey(from: header), !key.isEmpty else {
            return StripeAPIError(
                status: 401, type: "invalid_request_error",
                message: "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.")
        }
        guard keys.contains(key) else {
            return StripeAPIError(status: 401, type: "invalid_request_error",
                                  message: "Invalid API Key provided: \(mask(key))")
        }
        return nil
    }

    /// The key carried by an Authorization header value.
    static func apiKey(from header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        switch parts[0].lowercased() {
        case "bearer":
            return parts[1].trimmingCharacters(in: .whitespaces)
        case "basic":
            guard let data = Data(base64Encoded: parts[1].trimmingCharacters(in: .whitespaces)),
                  let text = String(data: data, encoding: .utf8) else { return nil }
            return String(text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        default:
            return nil
        }
    }

    /// Masks a key like Stripe does: the mode prefix and the last four characters, never the whole key.
    static func mask(_ key: String) -> String {
        let prefixes = ["sk_test_", "sk_live_", "rk_test_", "rk_live_", "pk_test_", "pk_live_"]
        let prefix = prefixes.first { key.hasPrefix($0) } ?? ""
        let rest = key.dropFirst(prefix.count)
        guard rest.count > 8 || (!prefix.isEmpty && rest.count > 4) else { return prefix + "****" }
        return prefix + "****" + rest.suffix(4)
    }

    /// An Authorization header value with its key masked, for recorded requests and logs.
    static func maskedHeader(_ header: String) -> String {
        guard let key = apiKey(from: header) else { return "****" }
        return "Bearer " + mask(key)
    }
}
