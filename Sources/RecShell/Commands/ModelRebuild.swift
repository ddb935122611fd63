import GraphRec
import Tensors

/// Rebuilds a saved model's `Recommender` from its parameters: one line per
/// kind, so a new model (gat) is one more entry.
///
/// Neural models get their architecture from the saved `TrainOptions`
/// (layers, heads, ...) and their weights from the parameters; the
/// baselines restore from their parameters alone.
enum ModelRebuild {
    typealias Builder = @Sendable (_ parameters: [String: Matrix], _ options: TrainOptions) throws -> any Recommender

    static let neural: [String: Builder] = [
        "gcn": { try GCN(parameters: $0, options: $1) },
        "lightgcn": { try LightGCN(parameters: $0, options: $1) },
        "mf": { try MatrixFactorization(parameters: $0, options: $1) },
        "gat": { try GAT(parameters: $0, options: $1) },
    ]

    /// Every kind a saved session can hold.
    static var kinds: [String] { neural.keys.sorted() + ["ncf"] + Baselines.kinds }

    /// The record's model, or an error naming the model and what is wrong.
    static func recommender(for record: ModelRecord) throws -> any Recommender {
        if let build = neural[record.kind] {
            // Only the training keys: the record may carry extras (e.g. the model's display name).
            let known = record.options.filter { TrainOptions.keys.contains($0.key) }
            let options: TrainOptions
            do { options = try TrainOptions(OptionValues(known), command: "options") } catch { throw ManifestFault("\(error)") }
            return try build(record.parameters, options)
        }
        if record.kind == "ncf" { return try NCF(parameters: record.parameters) }
        if Baselines.kinds.contains(record.kind) {
            return try Baselines.restore(record.kind, parameters: record.parameters)
        }
        throw ManifestFault("kind '\(record.kind)' is not one this recsh can rebuild "
            + "(known: \(kinds.joined(separator: ", ")))")
    }
}
