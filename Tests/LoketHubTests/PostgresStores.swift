import Foundation
import Logging
import LoketHub

/// PostgreSQL stores for the hub tests: each on a new database of the process's shared throwaway cluster.
enum PostgresStores {
    /// A new, empty database's location (no schema yet: the first store opened on it creates it).
    static func freshDatabase() async throws -> PostgresHubStore.Location {
        let cluster = try await PostgresCluster.shared()
        let name = try await cluster.createDatabase()
        return try PostgresHubStore.Location.parse(cluster.url(name)).get()
    }

    static func open(_ location: PostgresHubStore.Location, deadline: Duration = .seconds(10)) async throws -> PostgresHubStore {
        var logger = Logger(label: "test-postgres")
        logger.logLevel = .critical
        return try await PostgresHubStore.open(location, logger: logger, deadline: deadline)
    }

    /// A store on a new database.
    static func fresh() async throws -> PostgresHubStore { try await open(try await freshDatabase()) }
}
