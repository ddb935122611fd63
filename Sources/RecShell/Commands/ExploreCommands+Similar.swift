import GraphRec
import Tensors

/// `similar` and the cosine views `recommend ... why` falls back to.
extension ExploreCommands {
    static func similar(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        let dataset = try session.requireDataset("similar")
        let model = try session.model(command.options["model"], command: "similar")
        let m = try dataset.resolveMovie(command.argument(0) ?? "")
        let (vectors, source) = try comparableVectors(of: model, for: "similar", budget: context.run.budget)
        guard vectors.rows == dataset.movieCount else {
            throw ShellError.message("similar: model '\(model.name)' has \(vectors.rows) movie embeddings, the data \(dataset.movieCount)")
        }
        let k = try command.options.int("k", default: session.settings.k, range: 1...max(1, dataset.movieCount - 1))
        let norms = rowNorms(vectors)
        let similarities = (0..<vectors.rows).map { cosine(vectors, m, $0, norms) }
        let top = TopK.select(similarities, k: k, excluding: [m])
        var rows: [[Value]] = []
        var items: [Value] = []
        for (rank, hit) in top.enumerated() {
            let movie = dataset.movies[hit.index]
            rows.append([.int(rank + 1), .id(movie.id), .string(movie.title), .string(movie.genres.joined(separator: "|")),
                         .double(Double(hit.score))])
            items.append(.object([("rank", .int(rank + 1)), ("movie", .id(movie.id)), ("title", .string(movie.title)),
                                  ("score", .double(Double(hit.score)))]))
        }
        let target = dataset.movies[m]
        var blocks: [CommandResult.Block] = [.table(Table(
            name: "items", title: "nearest to \(target.title) (\(target.id)) by \(model.name), cosine",
            columns: [.init("#", .integer), .init("movie", .integer), .init("title"), .init("genres"),
                      .init("cosine", .number(decimals: 4))],
            rows: rows))]
        if vectors.cols < 2 {
            blocks.append(.text(["'\(model.name)' has \(vectors.cols)-dimensional embeddings: cosine cannot tell movies apart"]))
        }
        if model.embeddings == nil {
            blocks.append(.text(["\(model.name) (\(model.kind)) has no single embedding space: this is the cosine of its \(source)"]))
        }
        return CommandResult(command: "similar", blocks: blocks, payload: [
            ("movie", .id(target.id)), ("title", .string(target.title)), ("model", .string(model.name)), ("k", .int(k)),
            ("items", .array(items)),
        ])
    }

    /// The model's movie vectors, refused with the memory they would take
    /// when a sparse item-item model would have to densify more than `budget` allows.
    static func comparableVectors(of model: TrainedModel, for task: String, budget: ResourceBudget) throws
        -> (vectors: Matrix, source: String) {
        if let itemItem = model.scorer as? ItemItemScorer, let reason = budget.problem(ResourceEstimate(bytes: itemItem.movieVectorBytes)) {
            throw ShellError.message("\(task): '\(model.name)' (\(model.kind)) keeps its \(itemItem.itemCount) movies' neighbours sparse; "
                + "comparing them as dense rows \(reason)")
        }
        return model.scorer.movieVectors
    }

    /// The user's train movies whose embeddings are closest (cosine) to `movie`: the three strongest.
    static func explanation(for movie: Int, from seen: [Int], _ items: Matrix, _ norms: [Float])
        -> [(movie: Int, similarity: Float)] {
        var pairs: [(movie: Int, similarity: Float)] = []
        for j in seen { pairs.append((movie: j, similarity: cosine(items, movie, j, norms))) }
        pairs.sort { a, b in a.similarity > b.similarity || (a.similarity == b.similarity && a.movie < b.movie) }
        return Array(pairs.prefix(3))
    }

    /// Euclidean norm of each row.
    static func rowNorms(_ x: Matrix) -> [Float] {
        var norms = [Float](repeating: 0, count: x.rows)
        x.storage.withUnsafeBufferPointer { p in
            for r in 0..<x.rows {
                var s: Float = 0
                for j in 0..<x.cols { let v = p[r * x.cols + j]; s += v * v }
                norms[r] = s.squareRoot()
            }
        }
        return norms
    }

    /// Cosine of rows a and b (0 when either is zero).
    static func cosine(_ x: Matrix, _ a: Int, _ b: Int, _ norms: [Float]) -> Float {
        guard norms[a] > 0, norms[b] > 0 else { return 0 }
        var dot: Float = 0
        x.storage.withUnsafeBufferPointer { p in
            let ra = p.baseAddress! + a * x.cols, rb = p.baseAddress! + b * x.cols
            for j in 0..<x.cols { dot += ra[j] * rb[j] }
        }
        return dot / (norms[a] * norms[b])
    }
}
