/// A correction to an earlier meter event (`billing.meter_event_adjustment`); Tally only cancels.
public struct MeterEventAdjustment: Decodable, Sendable, Equatable {
    public var eventName: String
    /// `pending` or `complete`.
    public var status: String?
    /// `cancel`.
    public var type: String
    public var cancel: Cancel?
    public var livemode: Bool?

    /// Which event the cancellation targets.
    public struct Cancel: Decodable, Sendable, Equatable {
        public var identifier: String?
    }
}
