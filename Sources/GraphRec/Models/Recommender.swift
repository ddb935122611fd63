import Tensors

/// Final user and movie vectors: the model's score for (u, m) is
/// `users.row(u) . items.row(m)`.
///
/// Every model in recsh, neural or not, reduces to this form (popularity is
/// a 1-dim user vector of ones against movie counts; EASE is a user's
/// interaction row against the item-item weights), so one evaluator, one
/// retriever and one LSH index serve them all.
public struct Embeddings: Sendable, Equatable {
    public var users: Matrix
    public var items: Matrix

    public init(users: Matrix, items: Matrix) {
        precondition(users.cols == items.cols, "user and item embeddings differ in width")
        self.users = users
        self.items = items
    }

    public var dimension: Int { users.cols }
}

/// A trained recommendation model.
///
/// `scorer(_:)` is the model's forward pass on a graph. Graph models recompute
/// it from the graph they are given, which is what makes what-if questions
/// and new users work without retraining; models that cannot (matrix
/// factorisation of a fixed user set) say so through `isInductive`.
public protocol Recommender: Sendable {
    /// The model family: "gcn", "gat", "pop", ...
    var kind: String { get }
    /// True when the scorer reflects edges and users added after training.
    var isInductive: Bool { get }
    /// How the model ranks the movies of `graph` for each of its users.
    func scorer(_ graph: InteractionGraph) -> any Scorer
    /// Named weights, for saving and export; restoring them gives an equal model.
    var parameters: [String: Matrix] { get }
}

/// A recommender whose score is a dot product of a user and a movie vector:
/// every model but NCF. Its embeddings are its scorer, and they also serve
/// LSH, `similar` and embedding export.
public protocol EmbeddingRecommender: Recommender {
    /// Embeddings of every user and movie of `graph`.
    func embed(_ graph: InteractionGraph) -> Embeddings
}

extension EmbeddingRecommender {
    public func scorer(_ graph: InteractionGraph) -> any Scorer { embed(graph) }
}
