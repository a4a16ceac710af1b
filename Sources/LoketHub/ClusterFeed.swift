import Logging
import PostgresNIO
import ServiceLifecycle

/// Brings other hubs' events to this hub: LISTENs on its own connection to the store's notification channel,
/// reads what it has not delivered on each notification and every `pollInterval` (so a lost notification or a
/// dropped connection only delays an event), and reconnects with backoff when the database goes away.
public struct ClusterFeed: Service {
    let hub: Hub
    let store: PostgresHubStore
    let logger: Logger
    let pollInterval: Duration
    let gapTimeout: Duration

    public init(
        hub: Hub, store: PostgresHubStore, logger: Logger, pollInterval: Duration = .milliseconds(500),
        gapTimeout: Duration = .seconds(3)
    ) {
        self.hub = hub
        self.store = store
        self.logger = logger
        self.pollInterval = pollInterval
        self.gapTimeout = gapTimeout
    }

    public func run() async throws {
        var backoff = Duration.milliseconds(100)
        while true {
            do {
                try await hub.joinCluster(gapTimeout: gapTimeout)
                break
            } catch {
                // The database may be down right now: the hub waits for it rather than serving out of order.
                logger.warning("cannot join the cluster yet", metadata: ["error": "\(error)"])
                try await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(5))
            }
        }
        let (wakeups, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await listen(wake: wake) }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: pollInterval)
                        wake.yield()
                    }
                }
                group.addTask {
                    // Told once when catching up starts failing and once when it works again, not every tick.
                    var failing = false
                    for await _ in wakeups {
                        do {
                            try await hub.catchUp()
                            if failing { logger.notice("catching up with other hubs works again") }
                            failing = false
                        } catch {
                            if !failing { logger.warning("catching up with other hubs failed", metadata: ["error": "\(error)"]) }
                            failing = true
                        }
                    }
                }
                await group.next()
                wake.finish()
                group.cancelAll()
            }
        }
        wake.finish()
    }

    /// LISTEN until cancelled, reconnecting with backoff; every (re)connection starts with a catch-up.
    private func listen(wake: AsyncStream<Void>.Continuation) async {
        var backoff = Duration.milliseconds(100)
        var connectionID = 0
        while !Task.isCancelled {
            connectionID += 1
            do {
                let connection = try await PostgresConnection.connect(
                    on: PostgresConnection.defaultEventLoopGroup.any(), configuration: try store.location.connection(),
                    id: connectionID, logger: logger
                ).get()
                backoff = .milliseconds(100)
                do {
                    try await connection.listen(on: PostgresHubStore.channel) { notifications in
                        // Whatever was stored while nobody listened is read now.
                        wake.yield()
                        for try await notification in notifications {
                            if let seq = Int64(notification.payload), await hub.isUndelivered(seq) { wake.yield() }
                        }
                    }
                } catch {
                    try? await connection.close()
                    throw error
                }
                try? await connection.close()
            } catch {
                if Task.isCancelled { return }
                logger.warning("listening for other hubs' events failed; retrying", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(5))
        }
    }
}
