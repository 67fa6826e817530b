/// Stripe-looking unique ids (`cus_7fQ2...`): a counter scrambled by a bijective mix, so ids never repeat.
struct IdentifierGenerator: Sendable {
    private var counter: UInt64 = 0
    private let salt: UInt64
    private static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    /// Generators with different salts (objects, request ids) give unrelated-looking ids.
    init(salt: UInt64 = 0) { self.salt = salt }

    mutating func next(_ prefix: String) -> String {
        counter += 1
        // 11 base-62 digits hold any UInt64, so the first part alone is unique; 3 more digits for looks.
        var unique = Self.mix(counter ^ salt)
        var decoration = Self.mix(unique)
        var characters: [Character] = []
        characters.reserveCapacity(14)
        for _ in 0..<11 {
            characters.append(Self.alphabet[Int(unique % 62)])
            unique /= 62
        }
        for _ in 0..<3 {
            characters.append(Self.alphabet[Int(decoration % 62)])
            decoration /= 62
        }
        return prefix + "_" + String(characters)
    }

    /// splitmix64's finaliser: a bijection on UInt64.
    private static func mix(_ input: UInt64) -> UInt64 {
        var z = input &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
