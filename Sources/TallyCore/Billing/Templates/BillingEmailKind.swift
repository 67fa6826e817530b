/// The emails billing events send; each names its template files (`<kind>.subject.mustache`, `.txt`, `.html`).
public enum BillingEmailKind: String, Sendable, CaseIterable {
    /// `invoice.payment_failed`: dunning, to the team's owners.
    case paymentFailed = "payment-failed"
    /// `invoice.upcoming`: the coming charge, with the projected usage cost.
    case invoiceUpcoming = "invoice-upcoming"
    /// `customer.subscription.trial_will_end`.
    case trialEnding = "trial-ending"
    /// `payment_method.detached` leaving the customer without a default method.
    case paymentMethodMissing = "payment-method-missing"
    /// Stripe's meter error reports, to `ALERT_EMAIL`.
    case meterErrors = "meter-errors"
}
