import Foundation
import TallyCore
import TallySandbox

/// The demo's world: a sample app database and the matching Stripe account in the simulator, 75 days of
/// token usage for a handful of teams, with the faults Tally exists to find planted in it.
///
/// Planted (all on the last complete UTC day unless said otherwise), each in `Seed.faults`:
/// - Globex: 10:00–12:00 usage the app never sent to Stripe (`unreported`).
/// - Initech: 14:00–15:00 usage the app marked as acknowledged that Stripe does not have (`lost_after_ack`).
/// - Hooli: 09:00–10:00 usage Stripe received twice under other identifiers (`extra_in_stripe`).
/// - Stark & Sons: usage, but no Stripe customer (`missing_customer`).
/// - Orphan Labs: a Stripe customer with a metered subscription and usage, unknown to the app.
/// - Wayne Enterprises: usage 40 days ago never sent: beyond Stripe's 35-day window, a human's job. Only a
///   reconciliation reaching back that far sees it (the demo runs one, as a first install should).
/// - Two bad rows: one without a team, one with negative tokens.
/// - Umbrella KK pays in JPY and its card fails; a team named `=HYPERLINK(…)` tests formula injection.
///
/// Every planted hour has usage whatever the random draw says, so no announced fault is empty.
public enum DemoDataset {
    public static let eventName = "tally_tokens"
    public static let sandboxAPIKey = "sk_test_tally"

    /// What was created, for the demo's env file and the tests.
    public struct Seed: Sendable {
        public var meterID: String
        public var teams: Int
        public var usageRows: Int
        public var meterEvents: Int
        /// The planted faults, each with the class `tally-reconcile` must report.
        public var faults: [DemoFault]
        /// What the demo announces: one line per fault.
        public var planted: [String] { faults.map(\.description) }
        /// Included tokens per Stripe product, for the demo's `PLANS` setting.
        public var plans: [(product: String, tokens: Int)]
    }

    struct TeamPlan {
        var id: Int64
        var name: String
        var currency: String
        var hasCustomer = true
        var failingCard = false
        var customerID: String?
        var subscriptionID: String?
        var productID: String?
    }

    /// Seeds `simulator` and creates the app database at `database` (which must not exist yet).
    public static func seed(into simulator: StripeSimulator, database: DatabaseLocation, now: Date = Date()) async throws -> Seed {
        var random = DemoRandom(seed: 20_261_125)
        let today = JobTimeRange.startOfUTCDay(now)
        let yesterday = today.addingTimeInterval(-86_400)
        let start = today.addingTimeInterval(-75 * 86_400)
        simulator.clock.set(start)
        let state = simulator.state

        let meter = try state.createMeter(displayName: "AI tokens", eventName: eventName)
        let catalog = try Catalog(state: state, meter: meter.id)
        var teams = [
            TeamPlan(id: 1, name: "Acme Analytics", currency: "usd"),
            TeamPlan(id: 2, name: "Globex", currency: "usd"),
            TeamPlan(id: 3, name: "Initech", currency: "usd"),
            TeamPlan(id: 4, name: "Umbrella KK", currency: "jpy", failingCard: true),
            TeamPlan(id: 5, name: "Hooli", currency: "usd"),
            TeamPlan(id: 6, name: "Stark & Sons", currency: "usd", hasCustomer: false),
            TeamPlan(id: 7, name: "=HYPERLINK(\"http://evil.example\",\"Click me\")", currency: "usd"),
            TeamPlan(id: 8, name: "Wayne Enterprises", currency: "usd"),
        ]
        for index in teams.indices where teams[index].hasCustomer {
            let subscription = try catalog.subscribe(state: state, team: teams[index])
            teams[index].customerID = subscription.customer
            teams[index].subscriptionID = subscription.subscription
            teams[index].productID = subscription.product
        }
        let orphan = try catalog.subscribe(state: state, team: TeamPlan(id: 0, name: "Orphan Labs", currency: "usd"))

        var app = SampleApp()
        for team in teams {
            app.teams.append(SampleTeam(id: team.id, name: team.name, stripeCustomerID: team.customerID,
                                        stripeSubscriptionID: team.subscriptionID, stripeProductID: team.productID,
                                        planName: team.currency == "jpy" ? "Pro (JP)" : "Pro",
                                        subscriptionStatus: team.hasCustomer ? "active" : nil))
            let slug = team.id == 7 ? "mallory" : team.name.lowercased().filter(\.isLetter)
            let owner = SampleUser(id: team.id * 10 + 1, name: "\(team.name) Owner", email: "owner@\(slug).example")
            let member = SampleUser(id: team.id * 10 + 2, name: "\(team.name) Member", email: "dev@\(slug).example")
            app.users += [owner, member]
            app.members += [SampleMember(userID: owner.id, teamID: team.id, role: "owner"),
                            SampleMember(userID: member.id, teamID: team.id, role: "member")]
        }

        var events: [SimulatedMeterEvent] = []
        let settled = now.addingTimeInterval(-30 * 60)
        func add(_ team: TeamPlan, at time: Date, tokens: Int64, sent: Bool, acknowledged: Bool? = nil, duplicated: Bool = false) {
            let rowID = Int64(app.usage.count + 1)
            let identifier = MeterEventIdentifier.forUsageRow(id: String(rowID))
            let timestamp = Int64(time.timeIntervalSince1970)
            let isAcknowledged = acknowledged ?? sent
            app.usage.append(SampleUsage(teamID: team.id, userID: team.id * 10 + 1 + Int64(rowID % 2), action: rowID % 3 == 0 ? "embedding" : "chat",
                                         tokens: tokens, createdAt: time,
                                         meterEventIdentifier: isAcknowledged ? identifier : nil,
                                         reportedAt: isAcknowledged ? time.addingTimeInterval(2) : nil))
            guard let customer = team.customerID else { return }
            if sent {
                events.append(SimulatedMeterEvent(identifier: identifier, eventName: eventName, customer: customer, value: tokens, timestamp: timestamp, receivedAt: timestamp + 1))
            }
            if duplicated {
                events.append(SimulatedMeterEvent(identifier: "retry-\(rowID)-\(timestamp)", eventName: eventName, customer: customer, value: tokens, timestamp: timestamp, receivedAt: timestamp + 30))
            }
        }

        let fortyDaysAgo = today.addingTimeInterval(-40 * 86_400)
        // The hours a fault is planted in, per team id: each of them gets usage, so the fault is real.
        func plantedHours(_ team: Int64, day: Date) -> Range<Int>? {
            switch team {
            case 2 where day == yesterday: 10..<12
            case 3 where day == yesterday: 14..<15
            case 5 where day == yesterday: 9..<10
            case 8 where day == fortyDaysAgo: 0..<6
            default: nil
            }
        }
        // Starts on the hour, so every row drawn for `time` lies in that hour.
        var time = start.addingTimeInterval(3_600)
        while time < settled {
            let day = JobTimeRange.startOfUTCDay(time)
            let hour = Int(time.timeIntervalSince(day) / 3_600)
            for team in teams {
                let active = Int.random(in: 0..<3, using: &random) > 0
                let planted = plantedHours(team.id, day: day)?.contains(hour) == true
                guard active || planted else { continue }
                let at = time.addingTimeInterval(TimeInterval(Int.random(in: 0..<3_600, using: &random)))
                guard at < settled else { continue }
                let tokens = Int64.random(in: 10...400, using: &random)
                switch team.id {
                case 2 where planted: add(team, at: at, tokens: tokens, sent: false)
                case 3 where planted: add(team, at: at, tokens: tokens, sent: false, acknowledged: true)
                case 5 where planted: add(team, at: at, tokens: tokens, sent: true, duplicated: true)
                case 6: add(team, at: at, tokens: tokens, sent: false)
                case 8 where planted: add(team, at: at, tokens: tokens, sent: false)
                default: add(team, at: at, tokens: tokens, sent: true)
                }
            }
            // Orphan Labs uses the product through some other integration Tally does not know about.
            let orphanAt = time.addingTimeInterval(1_800)
            if orphanAt < settled {
                let stamp = Int64(orphanAt.timeIntervalSince1970)
                events.append(SimulatedMeterEvent(identifier: "orphan-\(stamp)", eventName: eventName, customer: orphan.customer, value: 50, timestamp: stamp))
            }
            time = time.addingTimeInterval(3_600)
        }
        app.usage.append(SampleUsage(teamID: nil, userID: nil, tokens: 120, createdAt: yesterday.addingTimeInterval(8 * 3_600)))
        app.usage.append(SampleUsage(teamID: 1, userID: 11, tokens: -50, createdAt: yesterday.addingTimeInterval(8 * 3_600 + 60)))

        try await SampleAppDatabase.create(at: database, app: app)
        let stored = state.appendMeterEvents(events)
        // Moving the clock to now bills every period that ended meanwhile, as Stripe's test clocks do.
        simulator.clock.set(now)
        let customer = { (id: Int64) in teams.first { $0.id == id }?.customerID }
        let faults = [
            DemoFault("Globex: yesterday 10:00-12:00 never sent", kind: .unreported, teamID: 2, customerID: customer(2), day: yesterday),
            DemoFault("Initech: yesterday 14:00-15:00 acknowledged but lost", kind: .lostAfterAck, teamID: 3, customerID: customer(3), day: yesterday),
            DemoFault("Hooli: yesterday 09:00-10:00 sent twice", kind: .extraInStripe, teamID: 5, customerID: customer(5), day: yesterday),
            DemoFault("Stark & Sons: no Stripe customer", kind: .missingCustomer, teamID: 6, day: yesterday),
            DemoFault("Orphan Labs: Stripe customer unknown to the app", kind: .unknownCustomer, customerID: orphan.customer, day: yesterday),
            DemoFault("Wayne Enterprises: 40 days ago 00:00-06:00 never sent, beyond Stripe's 35 days", kind: .unreported, teamID: 8,
                      customerID: customer(8), day: fortyDaysAgo, repair: .human),
            DemoFault("2 bad rows yesterday (no team, negative tokens)", kind: .badRows, day: yesterday),
        ]
        return Seed(meterID: meter.id, teams: teams.count, usageRows: app.usage.count, meterEvents: stored, faults: faults,
                    plans: [(catalog.usd.product, 60_000), (catalog.jpy.product, 200_000)])
    }

    /// The demo's products and prices: a seat fee plus metered tokens, in USD and JPY.
    struct Catalog {
        var usd: (product: String, base: String, tokens: String)
        var jpy: (product: String, base: String, tokens: String)

        init(state: SimulatorState, meter: String) throws {
            let pro = state.createProduct(name: "Pro")
            usd = (pro.id,
                   try state.createPrice(product: pro.id, currency: "usd", unitAmount: 4_900).id,
                   try state.createPrice(product: pro.id, currency: "usd", unitAmount: 1, usageType: .metered, meter: meter).id)
            let proJP = state.createProduct(name: "Pro (JP)")
            jpy = (proJP.id,
                   try state.createPrice(product: proJP.id, currency: "jpy", unitAmount: 5_000).id,
                   try state.createPrice(product: proJP.id, currency: "jpy", unitAmount: 1, usageType: .metered, meter: meter).id)
        }

        func subscribe(state: SimulatorState, team: TeamPlan) throws -> (customer: String, subscription: String, product: String) {
            let slug = team.name.lowercased().filter(\.isLetter)
            let customer = state.createCustomer(email: "billing@\(slug.isEmpty ? "team\(team.id)" : slug).example", name: team.name,
                                                metadata: team.failingCard ? ["sandbox_payment": "fail"] : [:])
            let prices = team.currency == "jpy" ? jpy : usd
            let subscription = try state.createSubscription(customer: customer.id, items: [(prices.base, 1), (prices.tokens, nil)])
            return (customer.id, subscription.id, prices.product)
        }
    }
}
