import Foundation

/// Links into the Stripe Dashboard for the objects an email names. Test-mode objects live under `/test`,
/// so the mode comes from the key (`STRIPE_SECRET_KEY`'s `sk_live_`/`rk_live_` prefix), decided once
/// when the settings are built: the key itself never reaches an email.
public struct StripeDashboardLinks: Sendable, Equatable {
    public var liveMode: Bool

    public init(liveMode: Bool) {
        self.liveMode = liveMode
    }

    var base: String { liveMode ? "https://dashboard.stripe.com" : "https://dashboard.stripe.com/test" }

    public func customer(_ id: String) -> String { "\(base)/customers/\(Self.pathSafe(id))" }
    public func invoice(_ id: String) -> String { "\(base)/invoices/\(Self.pathSafe(id))" }
    public func meter(_ id: String) -> String { "\(base)/billing/meters/\(Self.pathSafe(id))" }

    /// Stripe ids are `[A-Za-z0-9_]`; anything else is percent-encoded so an odd id cannot leave the path.
    static func pathSafe(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn:
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")) ?? ""
    }
}
