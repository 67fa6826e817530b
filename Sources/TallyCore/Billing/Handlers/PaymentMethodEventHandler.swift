import Foundation

/// `payment_method.attached|detached`: recorded; a detach that leaves the customer without a default
/// method warns the owners (decided after the change applied, from what Tally then knows).
enum PaymentMethodEventHandler {
    static let types: Set<String> = ["payment_method.attached", "payment_method.detached"]

    /// The customer the method belongs (or, after a detach, belonged) to.
    static func customer(of method: PaymentMethod, event: StripeEvent) -> String? {
        method.customer ?? event.data.previousAttributes?["customer"]?.stringValue
    }

    static func plan(_ record: StripeEventRecord, method: PaymentMethod, customerID: String?, now: Date) -> BillingEventPlan {
        var change = BillingChange(eventID: record.eventID, eventType: record.eventType, eventCreated: record.created,
                                   customerID: customerID, appliedAt: now)
        change.paymentMethod = PaymentMethodRecord(paymentMethodID: method.id, customerID: customerID, type: method.type,
                                                   attached: record.eventType == "payment_method.attached")
        return BillingEventPlan(change: change)
    }

    /// The warnings a detach of `method` calls for, given the customer's methods after it: none while another
    /// method is attached and the detached one was not the default.
    static func notices(detached method: PaymentMethod, state: PaymentMethodState, teams: [BillingTeam]) -> [BillingNotice] {
        let remaining = state.attached.filter { $0 != method.id }
        let wasDefault = state.defaultMethod == method.id
        guard remaining.isEmpty || wasDefault else { return [] }
        let label = [method.card?.brand, method.card?.last4.map { "ending \($0)" }].compactMap { $0 }.joined(separator: " ")
        return teams.map { team in
            BillingNotice(kind: .paymentMethodMissing, team: team, values: [
                "team": team.name, "team_id": team.teamID, "payment_method": label.isEmpty ? method.id : label,
            ])
        }
    }
}
