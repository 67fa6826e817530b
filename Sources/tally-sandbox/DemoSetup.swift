import Foundation
import TallyCore
import TallySandbox
import TallyDemo

/// `--demo-database`: fills the running simulator and a new sample app database with `DemoDataset`, and
/// writes the settings that point the jobs at both.
struct DemoSetup {
    var database: String
    var envFile: String?
    var configFile: String?
    var apiKey: String

    func seed(_ simulator: StripeSimulator, baseURL: String) async throws {
        let location = try DatabaseLocation(parsing: database)
        if case .sqlite(.file(let path)) = location, FileManager.default.fileExists(atPath: path) {
            throw DemoSetupError(message: "\(path) already exists: remove it (the demo creates a fresh sample database)")
        }
        let seed = try await DemoDataset.seed(into: simulator, database: location)
        FileHandle.standardError.write(Data("""
            tally-sandbox: demo seeded: \(seed.teams) teams, \(seed.usageRows) usage rows, \(seed.meterEvents) meter events, meter \(seed.meterID)
            tally-sandbox: planted: \(seed.planted.joined(separator: "; "))

            """.utf8))
        if let configFile {
            // Plan allowances per product, as a user writes them (no secrets: readable config is fine).
            let plans = seed.plans.map { "  \($0.product):\n    tokens: \($0.tokens)\n    features: [basic, premium]" }.joined(separator: "\n")
            let yaml = "# Written by tally-sandbox --demo-database: the demo's plan allowances (PLANS).\nPLANS:\n\(plans)\n"
            guard FileManager.default.createFile(atPath: configFile, contents: Data(yaml.utf8), attributes: [.posixPermissions: 0o644]) else {
                throw DemoSetupError(message: "cannot write \(configFile)")
            }
        }
        guard let envFile else { return }
        let settings = """
            # Written by tally-sandbox --demo-database: points Tally at the simulator and the sample app.
            STRIPE_API_BASE=\(baseURL)
            STRIPE_SECRET_KEY=\(apiKey)
            STRIPE_METER_ID=\(seed.meterID)
            DATABASE_URL=\(database)

            """
        // The file holds a (sandbox) secret key, and Tally accepts secrets only from owner-only files.
        guard FileManager.default.createFile(atPath: envFile, contents: Data(settings.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw DemoSetupError(message: "cannot write \(envFile)")
        }
    }
}

struct DemoSetupError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
