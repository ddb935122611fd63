import Tensors

/// A model as the session holds it: its name, what it is, how it was
/// trained and how it scored.
public struct TrainedModel: Sendable {
    /// The user's name for it ("gcn", "gcn-ids", ...), unique in a session.
    public var name: String
    public var recommender: any Recommender
    /// The options it was trained with, as given (defaults filled in).
    public var options: [String: String]
    public var history: TrainingHistory
    /// Last evaluation, by metric name ("precision", "ndcg", ...), and what it was on.
    public var lastMetrics: [String: Double]
    public var lastMetricsOn: String?
    /// Embeddings on the training graph, computed once after training.
    public var embeddings: Embeddings

    public init(name: String, recommender: any Recommender, options: [String: String],
                history: TrainingHistory, embeddings: Embeddings,
                lastMetrics: [String: Double] = [:], lastMetricsOn: String? = nil) {
        self.name = name
        self.recommender = recommender
        self.options = options
        self.history = history
        self.embeddings = embeddings
        self.lastMetrics = lastMetrics
        self.lastMetricsOn = lastMetricsOn
    }

    public var kind: String { recommender.kind }
}
