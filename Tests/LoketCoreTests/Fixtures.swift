@testable import LoketCore

/// What most suites start from, loaded and trained once for the whole test run.
enum Fixtures {
    private static let sharedEngine = Result<Engine, any Error> { Engine(script: try ScriptLoader.loadDefault()) }
    private static let sharedScenarios = Result<[Scenario], any Error> { try ScenarioLoader.loadDefault() }

    static func engine() throws -> Engine { try sharedEngine.get() }
    static func scenarios() throws -> [Scenario] { try sharedScenarios.get() }
}
