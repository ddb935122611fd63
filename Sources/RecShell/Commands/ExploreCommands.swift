import GraphRec
import Tensors

/// Looking inside trained models: recommendations, neighbours, attention,
/// what-if edits and new users.
public enum ExploreCommands {
    static let occupations = ["administrator", "artist", "doctor", "educator", "engineer", "entertainment",
                              "executive", "healthcare", "homemaker", "lawyer", "librarian", "marketing", "none",
                              "other", "programmer", "retired", "salesman", "scientist", "student", "technician",
                              "writer"]

    public static let specs: [CommandSpec] = [
        CommandSpec(
            name: "recommend", group: "Explore", synopsis: "recommend USER [model=NAME] [k=10] [lsh=PLANES] [why]",
            summary: "Top movies for a user with titles and scores; 'why' explains each from the user's own ratings.",
            details: ["Scores are the model's dot products. The user's edges in the graph (their train positives)",
                      "are never listed; validation and test positives may be, and are marked 'held out' (a hit).",
                      "'why' lists, for each movie, the user's train movies whose embeddings are most similar to it",
                      "(cosine), the neighbours that pull it up. For a GAT it lists instead the two-hop attention paths",
                      "your movie -> a user who rated it -> the movie that carried the most weight, with the path weight",
                      "(product of the three attention weights, heads averaged)."],
            arguments: [ArgumentSpec("USER", "user id"),
                        ArgumentSpec("why", "explain each recommendation", required: false, values: ["why"])],
            options: [OptionSpec("model", "NAME", default: "last trained", "which model", completion: .models),
                      OptionSpec("k", "N", default: "10", "how many movies"),
                      OptionSpec("lsh", "PLANES", "search LSH candidates instead of all movies")],
            example: "recommend 1 k=5 why", handler: recommend),
        CommandSpec(
            name: "similar", group: "Explore", synopsis: "similar MOVIE [model=NAME] [k=10]",
            summary: "Nearest movies in the model's embedding space (cosine). MOVIE is an id or a quoted title.",
            arguments: [ArgumentSpec("MOVIE", "movie id or title", completion: .movieTitles)],
            options: [OptionSpec("model", "NAME", default: "last trained", "which model", completion: .models),
                      OptionSpec("k", "N", default: "10", "how many movies")],
            example: "similar \"Star Wars (1977)\" k=5", handler: similar),
        CommandSpec(
            name: "attention", group: "Explore",
            synopsis: "attention user USER | movie MOVIE | summary [model=NAME] [layer=L] [head=H] [top=N]",
            summary: "GAT attention weights over a node's neighbours, heaviest first; or how uniform attention is overall.",
            details: ["Shows each neighbour's weight a_vu (the self-loop marked), the total (1 per head), the",
                      "entropy against the uniform maximum ln(|N(v)|+1), and the 1/|N(v)| a GCN mean would give.",
                      "'attention summary' reports, per layer and head, the entropy distribution against uniform",
                      "and how attention correlates with neighbour degree. Without layer=/head=, every one is shown."],
            arguments: [ArgumentSpec("KIND", "user, movie or summary", values: ["user", "movie", "summary"]),
                        ArgumentSpec("ID", "user id, movie id or title", required: false, completion: .movieTitles)],
            options: [OptionSpec("model", "NAME", default: "last gat", "a GAT model", completion: .models),
                      OptionSpec("layer", "L", default: "all", "layer (1-based)"),
                      OptionSpec("head", "H", default: "all", "attention head (1-based)"),
                      OptionSpec("top", "N", default: "10", "neighbours to show")],
            example: "attention user 1 layer=1 top=5", handler: attention),
    ]

    static func recommend(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        let dataset = try session.requireDataset("recommend")
        let usage = "recommend USER [model=NAME] [k=10] [lsh=PLANES] [why]"
        if command.arguments.count > 1, command.arguments[1] != "why" {
            throw ShellError.unexpectedArgument(command: "recommend", argument: command.arguments[1],
                                                column: command.argumentColumns[1], usage: usage)
        }
        let model = try session.model(command.options["model"], command: "recommend")
        guard let graph = session.graph else { throw ShellError.message("recommend: no split yet; try 'split warm'") }
        let u = try dataset.resolveUser(command.argument(0)!)
        let scorer = model.scorer
        guard u < scorer.userCount, scorer.itemCount == dataset.movieCount else {
            throw ShellError.message("recommend: model '\(model.name)' has no scores for user \(dataset.users[u].id)")
        }
        let why = command.hasFlag("why")
        // Only `why` compares movie vectors; a sparse model's would be movies x movies.
        let movieVectors = try why ? comparableVectors(of: model, for: "recommend why", budget: context.run.budget)
                                   : (vectors: Matrix(rows: 0, cols: 0), source: "")
        let k = try command.options.int("k", default: session.settings.k, range: 1...max(1, dataset.movieCount))
        let seen = graph.movies(ofUser: u).map(Int.init)
        let top: [(index: Int, score: Float)]
        if let text = command.options["lsh"] {
            let configuration = try LSHSupport.configuration(planes: LSHSupport.planes(fromOption: text),
                                                             defaultSeed: session.settings.seed)
            top = try LSHSupport.recommend(model: model, user: u, k: k, excluding: seen, configuration: configuration)
                .items.map { ($0.item, $0.score) }
        } else {
            top = TopK.select(scorer.scores(user: u), k: k, excluding: seen)
        }
        var heldOut: [Int: String] = [:]
        if let split = session.split {
            for edge in split.validation where Int(edge.user) == u { heldOut[Int(edge.movie)] = "val" }
            for edge in split.test where Int(edge.user) == u { heldOut[Int(edge.movie)] = "test" }
        }
        let norms = rowNorms(movieVectors.vectors)
        // A GAT (>= 2 layers) explains through its attention paths; other models through embedding similarity.
        let paths = why ? AttentionWhy.make(model, graph: graph, user: u) : nil
        var rows: [[Value]] = []
        var items: [Value] = []
        for (rank, hit) in top.enumerated() {
            let movie = dataset.movies[hit.index]
            var reasons: [(movie: Int, similarity: Float)] = []
            if why { reasons = explanation(for: hit.index, from: seen, movieVectors.vectors, norms) }
            let attention = try paths?.explain(movie: hit.index)
            var row: [Value] = [.int(rank + 1), .id(movie.id), .string(movie.title),
                                .string(movie.genres.joined(separator: "|")), .double(Double(hit.score)),
                                .string(heldOut[hit.index] ?? "")]
            if let attention {
                row.append(.string(AttentionWhy.cell(attention, dataset: dataset)))
            } else if why {
                row.append(.string(reasons.map { "\(dataset.movies[$0.movie].title) (\(Value.fixed(Double($0.similarity), decimals: 2)))" }
                    .joined(separator: "; ")))
            }
            rows.append(row)
            var object: [(String, Value)] = [
                ("rank", .int(rank + 1)),
                ("movie", .id(movie.id)), ("title", .string(movie.title)), ("score", .double(Double(hit.score))),
                ("genres", .array(movie.genres.map(Value.string))),
                ("held_out", heldOut[hit.index].map(Value.string) ?? .null),
            ]
            if why {
                object.append(("because", .array(reasons.map {
                    .object([("movie", .id(dataset.movies[$0.movie].id)), ("title", .string(dataset.movies[$0.movie].title)),
                             ("similarity", .double(Double($0.similarity)))])
                })))
            }
            if let attention { object += AttentionWhy.fields(attention, dataset: dataset) }
            items.append(.object(object))
        }
        var columns: [Table.Column] = [.init("#", .integer), .init("movie", .integer), .init("title"), .init("genres"),
                                       .init("score", .number(decimals: 4)), .init("held out")]
        if paths != nil {
            columns.append(.init("attention paths: your movie > via user (path weight)", wraps: true))
        } else if why {
            let label = model.embeddings == nil ? "because you liked (cosine of \(movieVectors.source))" : "because you liked (cosine)"
            columns.append(.init(label, wraps: true))
        }
        let userID = dataset.users[u].id
        var notes = ["excluded: user \(userID)'s \(seen.count) train positives; 'held out' marks val/test positives (hits)"]
        if paths != nil { notes.append(AttentionWhy.note) }
        if why && paths == nil && movieVectors.vectors.cols < 2 {
            notes.append("'\(model.name)' has \(movieVectors.vectors.cols)-dimensional embeddings, so every cosine is ±1: no real explanation")
        }
        if let ncf = scorer as? NCFScorer, ncf.popularityUsers.contains(u) {
            notes.append("\(model.name) (ncf) cannot score user \(dataset.users[u].id), who has no training edges: ranked by popularity")
        }
        let table = Table(name: "items", title: "top \(k) for user \(userID) by \(model.name)", columns: columns, rows: rows)
        return CommandResult(command: "recommend", blocks: [.table(table)], payload: [
            ("user", .id(userID)), ("model", .string(model.name)), ("k", .int(k)), ("items", .array(items)),
        ] + (why ? [("why", .string(paths != nil ? "attention_paths" : "embedding_similarity"))] : []), notes: notes)
    }

    static func similar(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        let dataset = try session.requireDataset("similar")
        let model = try session.model(command.options["model"], command: "similar")
        let m = try dataset.resolveMovie(command.argument(0)!)
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

    static func attention(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        try AttentionCommand.run(session, command)
    }
}
