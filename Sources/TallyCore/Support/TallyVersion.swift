/// Tally's version: printed by every executable's `--version` and sent in the Stripe `User-Agent`.
///
/// The one place it is defined; bump it here on a release.
public enum TallyVersion {
    public static let current = "0.1.0"
}
