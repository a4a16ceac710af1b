import Prometheus

/// The hub's Prometheus figures, served at `/metrics`.
public struct HubMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    let messagesIn: Counter
    let messagesOut: Counter
    let officersConnected: Gauge
    let citizensConnected: Gauge
    let queueLength: Gauge
    let firstResponse: ValueHistogram
    let batchSize: ValueHistogram
    let whatsAppSent: Counter
    let whatsAppFailed: Counter
    let whatsAppRefused: Counter

    public init() {
        func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: "loket", metricName: metric, unitName: unit, helpText: help)
        }
        messagesIn = registry.makeCounter(descriptor: name("messages_in", "total", "Citizen messages stored."))
        messagesOut = registry.makeCounter(descriptor: name("messages_out", "total", "Officer messages stored."))
        officersConnected = registry.makeGauge(descriptor: name("officers", "connected", "Officer connections open."))
        citizensConnected = registry.makeGauge(descriptor: name("citizens", "connected", "Citizen connections open."))
        queueLength = registry.makeGauge(
            descriptor: name("queue", "length", "Open conversations with a citizen message and no officer assigned."))
        firstResponse = registry.makeValueHistogram(
            descriptor: name("first_response", "seconds", "Seconds from a citizen's first message to the first officer reply."),
            buckets: [5, 15, 30, 60, 120, 180, 300, 600, 1800, 3600, 86_400])
        batchSize = registry.makeValueHistogram(
            descriptor: name("commit_batch", "events", "Events stored per group commit (one transaction, one flush)."),
            buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256])
        whatsAppSent = registry.makeCounter(
            descriptor: name("whatsapp_sent", "total", "Reply parts the WhatsApp Cloud API accepted."))
        whatsAppFailed = registry.makeCounter(
            descriptor: name("whatsapp_failed", "total", "WhatsApp replies that failed (given up, refused, or reported failed)."))
        whatsAppRefused = registry.makeCounter(
            descriptor: name("whatsapp_webhook_refused", "total", "Webhook posts refused for a bad or missing signature."))
    }

    /// The Prometheus text exposition of every figure.
    public func exposition() -> String {
        registry.emitToString()
    }
}

extension Gauge {
    func set(_ count: Int) { set(to: Double(count)) }
}
