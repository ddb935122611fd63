import Tensors

/// One trained model as a session bundle knows it, generic over how its
/// tensors are held: as matrices in memory (`ModelRecord`) or as tensor names
/// in `manifest.json` (`Manifest.ModelEntry`). One type keeps the two in step.
public struct SavedModel<Tensor, EmbeddingPair> {
    public var name: String
    public var kind: String
    public var options: [String: String]
    public var history: TrainingHistory
    public var lastMetrics: [String: Double]
    public var lastMetricsOn: String?
    /// Parameter name (as `Recommender.parameters` has it) -> its tensor.
    public var parameters: [String: Tensor]
    /// The final user and item embeddings, when saved: restored, they score
    /// bit-identically without a forward pass.
    public var embeddings: EmbeddingPair?

    public init(name: String, kind: String, options: [String: String], history: TrainingHistory,
                lastMetrics: [String: Double] = [:], lastMetricsOn: String? = nil,
                parameters: [String: Tensor], embeddings: EmbeddingPair?) {
        self.name = name
        self.kind = kind
        self.options = options
        self.history = history
        self.lastMetrics = lastMetrics
        self.lastMetricsOn = lastMetricsOn
        self.parameters = parameters
        self.embeddings = embeddings
    }

    /// The same model with its tensors held another way (matrices <-> tensor names).
    public func withTensors<T, E>(parameters: [String: T], embeddings: E?) -> SavedModel<T, E> {
        SavedModel<T, E>(name: name, kind: kind, options: options, history: history, lastMetrics: lastMetrics,
                         lastMetricsOn: lastMetricsOn, parameters: parameters, embeddings: embeddings)
    }
}

extension SavedModel: Sendable where Tensor: Sendable, EmbeddingPair: Sendable {}
extension SavedModel: Equatable where Tensor: Equatable, EmbeddingPair: Equatable {}

/// A trained model as plain data: what the bundle stores and what a restore
/// hands back. Rebuilding the `Recommender` from `parameters` is the model
/// registry's job (each model has an init from its parameters), which keeps
/// persistence free of model code.
public typealias ModelRecord = SavedModel<Matrix, Embeddings>

extension SavedModel where Tensor == Matrix, EmbeddingPair == Embeddings {
    /// The record of a session's trained model.
    public init(_ model: TrainedModel) {
        self.init(name: model.name, kind: model.kind, options: model.options, history: model.history,
                  lastMetrics: model.lastMetrics, lastMetricsOn: model.lastMetricsOn,
                  parameters: model.recommender.parameters, embeddings: model.embeddings)
    }
}
