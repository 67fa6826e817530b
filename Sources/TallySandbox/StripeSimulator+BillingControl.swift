import Foundation

/// Control endpoints that make Stripe raise billing events a test (or the demo) needs on demand:
///
/// - `POST /_sandbox/payment_methods/attach?customer=cus_…[&brand=visa&last4=4242]`
/// - `POST /_sandbox/payment_methods/detach?payment_method=pm_…`
/// - `POST /_sandbox/subscriptions/trial_will_end?subscription=sub_…[&days=3]`
/// - `POST /_sandbox/invoices/upcoming?subscription=sub_…`
/// - `POST /_sandbox/meter_errors?code=meter_event_customer_not_found&identifiers=a,b[&meter=mtr_…&count=N&window=3600]`
///
/// A failed payment comes from a customer created with `metadata[sandbox_payment]=fail`.
extension StripeSimulator {
    func billingControl(_ request: SimulatorRequest, _ parameters: FormParameters) -> SimulatorResponse? {
        guard request.method == "POST" else { return nil }
        do {
            let result: JSONValue
            switch request.path {
            case "/_sandbox/payment_methods/attach":
                let method = try state.attachPaymentMethod(customer: parameters["customer"] ?? "", brand: parameters["brand"] ?? "visa",
                                                           last4: parameters["last4"] ?? "4242")
                result = .object([("id", .string(method.id))])
            case "/_sandbox/payment_methods/detach":
                let method = try state.detachPaymentMethod(parameters["payment_method"] ?? "")
                result = .object([("id", .string(method.id))])
            case "/_sandbox/subscriptions/trial_will_end":
                try state.announceTrialEnd(subscription: parameters["subscription"] ?? "",
                                           in: (parameters["days"].flatMap(Double.init) ?? 3) * 86_400)
                result = .object([("status", .string("ok"))])
            case "/_sandbox/invoices/upcoming":
                try state.announceUpcomingInvoice(subscription: parameters["subscription"] ?? "")
                result = .object([("status", .string("ok"))])
            case "/_sandbox/meter_errors":
                let identifiers = (parameters["identifiers"] ?? "").split(separator: ",").map(String.init)
                let error = SimulatedV2Event.MeterError(code: parameters["code"] ?? "meter_event_customer_not_found",
                                                        count: parameters["count"].flatMap(Int64.init) ?? Int64(identifiers.count),
                                                        sampleIdentifiers: identifiers)
                let event = state.reportMeterErrors(meter: parameters["meter"], errors: [error],
                                                    window: parameters["window"].flatMap(Int64.init) ?? 3_600)
                result = .object([("id", .string(event.id))])
            default:
                return nil
            }
            return .json(result, requestID: request.requestID)
        } catch let error as StripeAPIError {
            return .error(error, requestID: request.requestID)
        } catch {
            return .error(.invalid("\(error)"), requestID: request.requestID)
        }
    }
}
