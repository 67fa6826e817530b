/// When a status change may replace a team's stored status (the stamp check comes first, in the store).
enum TeamAccessRules {
    /// Statuses after which a Stripe subscription never bills again.
    static let finalStatuses: Set<String> = ["canceled", "incomplete_expired"]

    static func accepts(_ access: AccessChange, storedSubscription: String?, storedStatus: String?) -> Bool {
        if access.fromInvoice {
            // A payment outcome never revives an ended subscription, never ends a trial early (a trial's
            // zero invoice is paid too), and never speaks for another subscription than the team's.
            if let storedStatus, finalStatuses.contains(storedStatus) { return false }
            if access.status == "active", storedStatus == "trialing" { return false }
            if let invoiced = access.subscriptionID, let stored = storedSubscription, invoiced != stored { return false }
            return true
        }
        guard let stored = storedSubscription, let changed = access.subscriptionID else { return true }
        if stored == changed {
            // Stripe never reactivates a canceled subscription: a later-processed older update is not news.
            return !(storedStatus.map(finalStatuses.contains) ?? false)
        }
        // Another subscription of the team: its end does not end the team's current one.
        if finalStatuses.contains(access.status) {
            return storedStatus == nil || finalStatuses.contains(storedStatus!)
        }
        return true
    }
}
