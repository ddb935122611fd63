import Tensors

/// Most-popular: every user gets the same ranking, movies ordered by how many
/// users liked them in training.
///
///     score(u, m) = 1 * deg_train(m)
///
/// users = a column of ones, items = the train degree of each movie. It is
/// the floor every model must clear, and on MovieLens a surprisingly high one.
/// Scores do not depend on the user, so new users and what-if edges need no
/// retraining (`isInductive`); the counts stay those of the training graph.
public struct Popularity: EmbeddingRecommender, Equatable {
    public var kind: String { "pop" }
    public var isInductive: Bool { true }

    /// movies x 1: the number of train positives of each movie.
    public let counts: Matrix

    public init(counts: Matrix) {
        precondition(counts.cols == 1, "popularity counts must be one column")
        self.counts = counts
    }

    public static func fit(graph: InteractionGraph, options: ModelOptions, control: RunControl) throws -> Popularity {
        let degrees = (0..<graph.movieCount).map { Float(graph.degree(movie: $0)) }
        control.report(ProgressUpdate(label: "pop", done: 1, total: 1))
        return Popularity(counts: Matrix(rows: graph.movieCount, cols: 1, storage: degrees))
    }

    public func embed(_ graph: InteractionGraph) -> Embeddings {
        precondition(graph.movieCount == counts.rows, "graph has \(graph.movieCount) movies, model \(counts.rows)")
        return Embeddings(users: Matrix(rows: graph.userCount, cols: 1, repeating: 1), items: counts)
    }

    public var parameters: [String: Matrix] { ["items": counts] }

    public init(parameters: [String: Matrix]) throws {
        self.init(counts: try Baselines.parameter("items", of: parameters, kind: "pop", cols: 1))
    }
}

extension Popularity: ClosedFormKind {
    public static let name = "pop"
    public static let summary = "most popular movies in train, the same list for everyone"
    public static let options = [Baselines.seedOption]
    public static let capabilities = ModelCapabilities(inductive: true, coldUsers: .init(noEdges: .popularity, fewLikes: .popularity), edits: .global)

    public static func parameterShapes(options: ModelOptions, graph: InteractionGraph) throws -> [String: [Int]] {
        ["items": [graph.movieCount, 1]]
    }
}
