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
    /// How it ranks movies on the training graph, computed once after training.
    public var scorer: any Scorer

    public init(name: String, recommender: any Recommender, options: [String: String],
                history: TrainingHistory, scorer: any Scorer,
                lastMetrics: [String: Double] = [:], lastMetricsOn: String? = nil) {
        self.name = name
        self.recommender = recommender
        self.options = options
        self.history = history
        self.scorer = scorer
        self.lastMetrics = lastMetrics
        self.lastMetricsOn = lastMetricsOn
    }

    /// A dot-product model with its embeddings on the training graph.
    public init(name: String, recommender: any Recommender, options: [String: String],
                history: TrainingHistory, embeddings: Embeddings,
                lastMetrics: [String: Double] = [:], lastMetricsOn: String? = nil) {
        self.init(name: name, recommender: recommender, options: options, history: history, scorer: embeddings,
                  lastMetrics: lastMetrics, lastMetricsOn: lastMetricsOn)
    }

    public var kind: String { recommender.kind }

    /// The user and movie embeddings of a dot-product model; nil for a model
    /// whose score is not a dot product (NCF).
    public var embeddings: Embeddings? { scorer as? Embeddings }

    /// The embeddings, or an error saying why `command` cannot use this model.
    public func requireEmbeddings(_ command: String) throws -> Embeddings {
        guard let e = embeddings else {
            if scorer is ItemItemScorer {
                throw RecError("\(command): model '\(name)' (\(kind)) scores a user by summing item-item weights over their liked movies, "
                    + "not by a dot product of user and movie vectors, so it has no user embeddings to use here; "
                    + "try a dot-product model (mf, gcn, gat, lightgcn, svd, ...)")
            }
            throw RecError("\(command): model '\(name)' (\(kind)) scores (user, movie) pairs through a neural network, "
                + "not a dot product, so it has no user embeddings to use here; try a dot-product model (mf, gcn, gat, lightgcn, svd, ...)")
        }
        return e
    }
}
