/// Stripe-looking unique ids (`cus_7fQ2...`): a counter scrambled by a bijective mix, so ids never repeat.
struct IdentifierGenerator: Sendable {
    private var counter: UInt64 = 0
    private static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    mutating func next(_ prefix: String) -> String {
        counter += 1
        var value = Self.mix(counter)
        var characters: [Character] = []
        for _ in 0..<14 {
            characters.append(Self.alphabet[Int(value % 62)])
            value /= 62
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
