import Crypto
import Foundation

/// Signs a team webhook's POST so the receiver can tell it came from Tally and was not replayed:
/// `X-Tally-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` with the team's secret, and
/// `X-Tally-Timestamp: <unix seconds>` (receivers should reject old timestamps).
public enum WebhookSignature {
    public static let signatureHeader = "X-Tally-Signature"
    public static let timestampHeader = "X-Tally-Timestamp"

    /// The `sha256=<hex>` header value for `body` sent at `timestamp`.
    public static func sign(body: Data, timestamp: Int64, secret: Secret) -> String {
        var message = Data("\(timestamp).".utf8)
        message.append(body)
        let key = SymmetricKey(data: Data(secret.revealed.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: key)
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `signature` is what `sign` gives, compared in constant time.
    public static func verify(signature: String, body: Data, timestamp: Int64, secret: Secret) -> Bool {
        let expected = Array(sign(body: body, timestamp: timestamp, secret: secret).utf8)
        let given = Array(signature.utf8)
        guard expected.count == given.count else { return false }
        return zip(expected, given).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
