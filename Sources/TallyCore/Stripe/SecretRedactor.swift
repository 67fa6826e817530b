import Foundation

/// Removes API keys from text that reaches a log or an error: Stripe echoes part of a rejected key in
/// its 401 message, and a transport message could in theory quote a header.
enum SecretRedactor {
    static func redact(_ text: String, secret: Secret) -> String {
        var result = text
        if !secret.isEmpty {
            result = result.replacingOccurrences(of: secret.revealed, with: "<redacted>")
        }
        // Any Stripe key shape (sk_, rk_, pk_; masked or not) is dropped whole.
        let keyShape = /(sk|rk|pk)_(test|live)_[A-Za-z0-9*]+/
        return result.replacing(keyShape, with: "<redacted>")
    }
}
