import GraphRec
import Tensors

/// Looking inside trained models: recommendations, neighbours, attention,
/// what-if edits and new users.
public enum ExploreCommands {
    static let occupations = ["administrator", "artist", "doctor", "educator", "engineer", "entertainment",
                              "executive", "healthcare", "homemaker", "lawyer", "librarian", "marketing", "none",
                              "other", "programmer", "retired", "salesman", "scientist", "student", "technician",
                              "writer"]

    public static let specs = CommandSpec.group("Explore", [
        CommandSpec(name: "recommend",
            summary: "Top movies for a user with titles and scores; 'why' explains each from the user's own ratings.",
            details: """
                Scores are the model's dot products. The user's edges in the graph (their train positives)
                are never listed; validation and test positives may be, and are marked 'held out' (a hit).
                'why' lists, for each movie, what in the user's likes holds it in the list most, measured: the
                likes of one unit are removed from the graph together and the model's score recomputed (exact),
                and the number is how much the movie's lead over the best movie not shown (#k+1) shrinks without
                them; likes that lift every movie alike count 0. The unit (by=) is the same for every movie:
                  genre    all of the user's likes of one genre (the default; a like with several genres is in
                           each of its genres; a genre every like has is left out)
                  cluster  the likes clustered by the model's own movie vectors (cosine k-means, about one group
                           per 4 likes, at most 10)
                  like     each like alone (for a user with many likes, each moves little: a mean over 100
                           likes barely changes without one)

                Each group names its member whose removal alone costs the movie most. JSON keeps the single
                likes in 'because' and the groups in 'because_groups'. A model with fixed user vectors falls
                back to embedding cosine.
                For a GAT a second column lists the two-hop attention paths your movie -> a user who rated it ->
                the movie, each with its share of all such paths' weight to that movie (heads averaged).
                """,
            arguments: [ArgumentSpec("USER", "user id"), .flag("why", "explain each recommendation")],
            options: [.model,
                      .topK,
                      OptionSpec("lsh", "PLANES", "search LSH candidates instead of all movies"),
                      OptionSpec("top", "N", default: "3", "with why: contributors shown per movie"),
                      OptionSpec("by", "UNIT", default: "genre", "with why: what is removed together",
                                 values: LikeExplanation.Unit.allCases.map(\.rawValue))],
            requires: [.dataset, .split, .model],
            example: "recommend 1 k=5 why", handler: recommend),
        CommandSpec(name: "similar",
            summary: "Nearest movies in the model's embedding space (cosine). MOVIE is an id or a quoted title.",
            arguments: [ArgumentSpec("MOVIE", "movie id or title", completion: .movieTitles)],
            options: [.model, .topK],
            requires: [.dataset, .split, .model],
            example: "similar \"Star Wars (1977)\" k=5", handler: similar),
        CommandSpec(name: "attention",
            summary: "GAT attention weights over a node's neighbours, heaviest first; or how uniform attention is overall.",
            details: """
                Shows each neighbour's weight a_vu (the self-loop marked), the total (1 per head), the
                entropy against the uniform maximum ln(|N(v)|+1), and the 1/|N(v)| a GCN mean would give.
                'attention summary' reports, per layer and head, the entropy distribution against uniform
                and how attention correlates with neighbour degree. Without layer=/head=, every one is shown.
                """,
            subcommands: [Subcommand("user", "a user's neighbours", arguments: [ArgumentSpec("USER", "user id")]),
                          Subcommand("movie", "a movie's neighbours", arguments: [
                              ArgumentSpec("MOVIE", "movie id or title", completion: .movieTitles)]),
                          Subcommand("summary", "entropy and degree correlation per layer and head")],
            defaultSubcommand: "summary", subcommandLabel: "KIND",
            options: [OptionSpec("model", "NAME", default: "last gat", "a GAT model", completion: .models),
                      OptionSpec("layer", "L", default: "all", "layer (1-based)"),
                      OptionSpec("head", "H", default: "all", "attention head (1-based)"),
                      OptionSpec("top", "N", default: "10", "neighbours to show")],
            requires: [.dataset, .split, .model],
            example: "attention user 1 layer=1 top=5", handler: attention),
    ])

    static func recommend(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        let dataset = try session.requireDataset("recommend")
        let model = try session.model(command.options["model"], command: "recommend")
        let graph = try session.requireGraph("recommend")
        let u = try dataset.resolveUser(command.argument(0) ?? "")
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
        let scores = scorer.scores(user: u)
        let top: [(index: Int, score: Float)]
        if let text = command.options["lsh"] {
            let configuration = try LSHSupport.configuration(planes: LSHSupport.planes(fromOption: text),
                                                             defaultSeed: session.settings.seed)
            top = try LSHSupport.recommend(model: model, user: u, k: k, excluding: seen, configuration: configuration)
                .items.map { ($0.item, $0.score) }
        } else {
            top = TopK.select(scores, k: k, excluding: seen)
        }
        var heldOut: [Int: String] = [:]
        if let split = session.split {
            for edge in split.validation where Int(edge.user) == u { heldOut[Int(edge.movie)] = "val" }
            for edge in split.test where Int(edge.user) == u { heldOut[Int(edge.movie)] = "test" }
        }
        let userID = dataset.users[u].id
        var notes = ["excluded: user \(userID)'s \(seen.count) train positives; 'held out' marks val/test positives (hits)"]
        let topLikes = try command.options.int("top", default: 3, range: 1...max(1, dataset.movieCount))
        let unit = LikeExplanation.Unit(rawValue: try command.options.choice(
            "by", default: LikeExplanation.Unit.genre.rawValue, from: LikeExplanation.Unit.allCases.map(\.rawValue))) ?? .genre
        let explained = why ? try LikeExplanation.make(model, dataset: dataset, graph: graph, user: u, movies: top.map(\.index),
                                                       scores: scores, unit: unit, vectors: movieVectors.vectors) : nil
        let title = { (m: Int) in dataset.movies[m].title }
        let norms = explained == nil && why ? rowNorms(movieVectors.vectors) : []
        // A GAT (>= 2 layers) adds its attention paths as a second view.
        let paths = why ? AttentionWhy.make(model, graph: graph, user: u) : nil
        var rows: [[Value]] = []
        var items: [Value] = []
        for (rank, hit) in top.enumerated() {
            let movie = dataset.movies[hit.index]
            var row: [Value] = [.int(rank + 1), .id(movie.id), .string(movie.title),
                                .string(movie.genres.joined(separator: "|")), .double(Double(hit.score)),
                                .string(heldOut[hit.index] ?? "")]
            var object: [(String, Value)] = [
                ("rank", .int(rank + 1)),
                ("movie", .id(movie.id)), ("title", .string(movie.title)), ("score", .double(Double(hit.score))),
                ("genres", .array(movie.genres.map(Value.string))),
                ("held_out", heldOut[hit.index].map(Value.string) ?? .null),
            ]
            if let explained {
                let lead = { (x: Float) -> [(String, Value)] in explained.rival != nil ? [("lead_delta", .double(Double(x)))] : [] }
                let contributors = explained.contributors(rank, count: topLikes, titles: title)
                row.append(.string(contributors.map { LikeExplanation.cell($0, unit: explained.unit, titles: title) }.joined(separator: "; ")))
                object.append(("because", .array(explained.topLikes(rank, count: topLikes).map {
                    .object([("movie", .id(dataset.movies[$0.movie].id)), ("title", .string(title($0.movie))),
                             ("delta", .double(Double($0.delta)))] + lead($0.lead))
                })))
                if explained.unit != .like {
                    object.append(("because_groups", .array(contributors.map { c in
                        .object([("name", .string(c.name)), ("size", .int(c.likes.count)),
                                 ("movies", .array(c.likes.map { .id(dataset.movies[$0].id) })),
                                 ("strongest", .object([("movie", .id(dataset.movies[c.strongest].id)), ("title", .string(title(c.strongest)))])),
                                 ("delta", .double(Double(c.delta)))] + lead(c.lead))
                    })))
                }
            } else if why {
                let reasons = explanation(for: hit.index, from: seen, movieVectors.vectors, norms)
                row.append(.string(reasons.map { "\(dataset.movies[$0.movie].title) (\(Value.fixed(Double($0.similarity), decimals: 2)))" }
                    .joined(separator: "; ")))
                object.append(("because", .array(reasons.map {
                    .object([("movie", .id(dataset.movies[$0.movie].id)), ("title", .string(dataset.movies[$0.movie].title)),
                             ("similarity", .double(Double($0.similarity)))])
                })))
            }
            if let attention = try paths?.explain(movie: hit.index) {
                row.append(.string(AttentionWhy.cell(attention, dataset: dataset)))
                object += AttentionWhy.fields(attention, dataset: dataset)
            }
            rows.append(row)
            items.append(.object(object))
        }
        var columns: [Table.Column] = [.init("#", .integer), .init("movie", .integer), .init("title"), .init("genres"),
                                       .init("score", .number(decimals: 4)), .init("held out")]
        if let explained {
            columns.append(.init(explained.column, wraps: true))
        } else if why {
            let label = model.embeddings == nil ? "because you liked (cosine of \(movieVectors.source))" : "because you liked (cosine)"
            columns.append(.init(label, wraps: true))
        }
        if paths != nil { columns.append(.init("attention paths: your movie > via user (share of path weight)", wraps: true)) }
        if let explained { notes += explained.notes(dataset: dataset, model: model) }
        if paths != nil { notes.append(AttentionWhy.note) }
        if why && explained == nil {
            notes.append("\(model.name) (\(model.kind)) keeps the user vectors it was trained with: removing a like cannot move "
                + "its scores, so 'why' shows the cosine of the movie vectors instead")
            if movieVectors.vectors.cols < 2 {
                notes.append("'\(model.name)' has \(movieVectors.vectors.cols)-dimensional embeddings, so every cosine is ±1: no real explanation")
            }
        }
        let declared = ColdStart.coldUsers(of: model.recommender, graph: graph)
        let method = ColdStart.method(user: u, graph: graph, declared: declared, refitting: [])
        if method != .trained && model.kind != Popularity.name {
            notes.append("user \(userID) has no train edges: \(WhatIfCommands.modelLabel(model)) ranks them \(method.explanation)")
        }
        let table = Table(name: "items", title: "top \(k) for user \(userID) by \(model.name)", columns: columns, rows: rows)
        let whyKind = explained != nil ? "leave_one_out" : "embedding_similarity"
        let spread: [(String, Value)] = explained?.firstAndFifth.map { f in
            [("first_fifth", .object([("first", .double(Double(f.first))), ("fifth", .double(Double(f.fifth))),
                                      ("ratio", f.ratio.map(Value.double) ?? .null)]))]
        } ?? []
        return CommandResult(command: "recommend", blocks: [.table(table)], payload: [
            ("user", .id(userID)), ("model", .string(model.name)), ("k", .int(k)),
            ("method", .string(method.rawValue)), ("cold_users", .string(declared.noEdges.rawValue)),
            ("items", .array(items)),
        ] + (why ? [("why", .string(whyKind))] : [])
            + (explained.map { [("unit", .string($0.unit.rawValue))] } ?? []) + spread
            + (explained?.rivalMovie.map { [("rival", .id(dataset.movies[$0].id))] } ?? []) + (paths != nil ? [("attention_paths", .bool(true))] : []), notes: notes)
    }


    static func attention(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        try AttentionCommand.run(session, command)
    }
}
