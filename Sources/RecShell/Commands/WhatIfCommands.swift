import Foundation
import GraphRec
import Tensors

/// What-if questions answered by re-running a trained model's forward pass
/// on a changed graph, without retraining: a user likes or drops movies
/// (`whatif`), or a new user arrives with features and a few likes
/// (`newuser`). The session's graph and models never change: the edited
/// graph lives only inside the command.
///
/// These specs replace the `whatif`/`newuser` placeholders declared in
/// ExploreCommands (the registry keeps the last spec of a name).
public enum WhatIfCommands {
    public static let specs = CommandSpec.group("Explore", [
        CommandSpec(name: "whatif",
            summary: "Add or remove a user's edges and show how recommendations move, without retraining.",
            details: """
                The model's forward pass runs again on the edited training graph. Graph models also move
                the neighbours' lists (the edit reaches them through shared movies): 'users affected' counts
                the other users whose top-K changed. EASE, ItemKNN, ALS, SVD, MF and NCF read only the user's
                own row (MF and NCF fold the user in afresh before and after); popularity is global.
                A movie that leaves the list because the user now likes it is marked 'now liked'.
                The session's graph and models stay as they were.
                """,
            arguments: [ArgumentSpec("USER", "user id", keyword: "user"),
                        ArgumentSpec("CHANGE", "add or remove the edges", values: ["likes", "drops"], closed: true),
                        ArgumentSpec("MOVIE", "movie ids or titles", variadic: true, completion: .movieTitles)],
            options: [.model, .topK],
            requires: [.dataset, .split, .model],
            example: "whatif user 1 likes 50 181", handler: whatif),
        CommandSpec(name: "newuser",
            summary: "Add a user from features and liked movies and recommend for them inductively.",
            details: """
                The persona is added to a copy of the training graph (features from age, gender and
                occupation; edges to the liked movies, ids or titles) and the model scores it by the method
                its kind declares for a new user (features, the likes, a fold-in, or popularity when it has
                nothing to go on); the output says which. The session is not changed, so several personas
                can be tried one after another. Omitted features stay zero (unknown).
                """,
            options: [OptionSpec("age", "A", "age in years (1...120)"),
                      OptionSpec("gender", "F|M", "gender", values: ["F", "M"]),
                      OptionSpec("occupation", "O", "occupation", values: ExploreCommands.occupations, closed: false),
                      OptionSpec("likes", "M,M,...", "liked movies: ids or titles, comma separated"),
                      .model,
                      .topK],
            requires: [.dataset, .split, .model],
            example: "newuser age=25 gender=F occupation=student likes=50,181,172", handler: newuser),
    ])

    // MARK: whatif

    static func whatif(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        let dataset = try session.requireDataset("whatif")
        let change = command.argument(0) ?? ""
        let user = try dataset.resolveUser(command.keyword("user") ?? "")
        var movies: [Int] = []
        for token in command.arguments.dropFirst() {
            let m = try dataset.resolveMovie(token)
            if !movies.contains(m) { movies.append(m) }
        }
        let model = try session.model(command.options["model"], command: "whatif")
        let graph = try session.requireGraph("whatif")
        let k = try command.options.int("k", default: session.settings.k, range: 1...100)

        let owned = Set(graph.movies(ofUser: user).map { Int($0) })
        if change == "likes", let m = movies.first(where: owned.contains) {
            throw ShellError.message("whatif: user \(dataset.users[user].id) already likes \(label(dataset, m)) in the training graph")
        }
        if change != "likes", let m = movies.first(where: { !owned.contains($0) }) {
            throw ShellError.message("whatif: user \(dataset.users[user].id) has no training edge to \(label(dataset, m)) to drop"
                + " (their \(owned.count) liked movies: see 'user \(dataset.users[user].id)')")
        }
        let edit = try UserEdit(graph: graph, user: user, adding: change == "likes" ? movies : [],
                                removing: change == "likes" ? [] : movies)

        _ = try capabilities(of: model, command: "whatif")
        let answer = try WhatIf(model: model, edit: edit, k: k, seed: session.settings.seed, run: context.run)
        let (top0, top1) = (answer.before, answer.after)
        let rank0 = Dictionary(uniqueKeysWithValues: top0.enumerated().map { ($1.item, $0 + 1) })
        let rank1 = Dictionary(uniqueKeysWithValues: top1.enumerated().map { ($1.item, $0 + 1) })
        let shown = top1.map(\.item) + answer.left
        let rows: [[Value]] = shown.map { m in
            let status = rank0[m] == nil ? "new" : (rank1[m] == nil ? (edit.added.contains(m) ? "now liked" : "gone") : "")
            return [rank0[m].map { .int($0) } ?? .null, rank1[m].map { .int($0) } ?? .null,
                    .id(dataset.movies[m].id), .string(dataset.movies[m].title),
                    .double(Double(answer.scoresBefore[m])), .double(Double(answer.scoresAfter[m])), .string(status)]
        }
        let userID = dataset.users[user].id
        let changeText = "\(change) " + movies.map { label(dataset, $0) }.joined(separator: ", ")
        let table = Table(name: "movies", title: "User \(userID)'s top-\(k) with \(model.name), before and after: \(changeText)",
                          columns: [.init("before", .integer), .init("after", .integer), .init("movie", .integer),
                                    .init("title"), .init("score before", .number(decimals: 4)),
                                    .init("score after", .number(decimals: 4)), .init("")],
                          rows: rows)
        let (entered, left, nowLiked) = (answer.entered, answer.left, answer.nowLiked)
        let text = [
            "\(entered.count) entered, \(left.count) left user \(userID)'s top-\(k)"
                + (nowLiked.isEmpty ? "." : " (\(nowLiked.count) of them because the user now likes them, so they are excluded)."),
            othersNote(answer, others: graph.userCount - 1),
            reachNote(model, edits: answer.edits, user: userID, method: answer.method),
            "The session is unchanged (graph and models as before).",
        ]
        func entries(_ list: [ScoredItem]) -> Value {
            .array(list.enumerated().map { i, s in
                .object([("rank", .int(i + 1)), ("movie", .id(dataset.movies[s.item].id)),
                         ("title", .string(dataset.movies[s.item].title)), ("score", .double(Double(s.score)))])
            })
        }
        func ids(_ list: [Int]) -> Value { .array(list.map { .id(dataset.movies[$0].id) }) }
        let payload: [(String, Value)] = [
            ("user", .id(userID)), ("model", .string(model.name)), ("k", .int(k)),
            ("change", .object([("kind", .string(change)), ("movies", ids(movies))])),
            ("before", entries(top0)), ("after", entries(top1)),
            ("entered", ids(entered)), ("left", ids(left)), ("now_liked", ids(nowLiked)),
            ("users_affected", answer.othersMoved.map { .int($0.changed) } ?? .null),
            ("users_reordered", answer.othersMoved.map { .int($0.reordered) } ?? .null),
            ("method", .string(answer.method.rawValue)), ("cold_users", .string(answer.declared.noEdges.rawValue)),
            ("edits", .string(answer.edits.rawValue)),
        ] + (answer.field.map { field in
            [("receptive_field", .object([("users", .int(field.changedUsers)), ("movies", .int(field.changedMovies)),
                                          ("recomputed", .array(field.rows.map { .int($0.count) }))]))]
        } ?? [])
        return CommandResult(command: "whatif", blocks: [.table(table)], payload: payload, notes: text)
    }

    /// What the edit did to the other users, as far as it was computed.
    static func othersNote(_ answer: WhatIf, others: Int) -> String {
        let k = answer.k
        if let moved = answer.othersMoved {
            return "Other users whose top-\(k) changed: \(moved.changed) of \(others)"
                + (moved.reordered > 0 ? " (and \(moved.reordered) more reordered)." : ".")
        }
        let field = answer.field.map { f in
            " (the edit reaches \(max(f.changedUsers - 1, 0)) other users' and \(f.changedMovies) movies' vectors; "
                + "recomputed \(f.rows.map { String($0.count) }.joined(separator: ", ")) nodes by layer)"
        } ?? ""
        return "Only this user's top-\(k) was recomputed, from the edit's receptive field\(field): other users' lists "
            + "were not re-ranked on a graph over \(NeighborSampling.largeGraphEdges) train edges."
    }

    /// The declared capabilities of `model`'s kind.
    static func capabilities(of model: TrainedModel, command: String) throws -> ModelCapabilities {
        do { return try ModelRegistry.kind(model.kind).capabilities } catch {
            throw ShellError.message("\(command): model '\(model.name)': \(error)")
        }
    }

    /// "ease", or "gcn-cold (gcn)" when the name is not the kind.
    static func modelLabel(_ model: TrainedModel) -> String {
        model.name == model.kind ? model.name : "\(model.name) (\(model.kind))"
    }

    /// Who an edit of one user's likes can move, from what the model is.
    static func reachNote(_ model: TrainedModel, edits: ModelCapabilities.EditReach, user: NodeID,
                          method: ScoringMethod) -> String {
        let name = modelLabel(model)
        switch edits {
        case .propagates:
            return "\(name) is a graph model: the edit propagates through shared movies to other users' representations."
        case .ownRow:
            return "\(name) reads only user \(user)'s own row, scored \(method.explanation): other users' lists cannot move."
        case .global:
            return "\(name) is global: every user gets the same train counts, so one user's likes change no list "
                + "(only what the user is excluded from)."
        }
    }

    static func label(_ d: Dataset, _ m: Int) -> String { "\(d.movies[m].id) \(d.movies[m].title)" }

}
