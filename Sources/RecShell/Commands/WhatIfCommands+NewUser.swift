import Foundation
import GraphRec
import Tensors

/// `newuser`: a user made from features and likes, scored by a model that can place them.
extension WhatIfCommands {
    // MARK: newuser

    static func newuser(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        let dataset = try session.requireDataset("newuser")
        let o = command.options
        let age = o.has("age") ? try o.int("age", default: 0, range: 1...120) : nil
        let gender = o["gender"], occupation = o["occupation"]
        let likes = try o["likes"].map { try resolveList($0, dataset) } ?? []
        let model = try session.model(o["model"], command: "newuser")
        _ = try capabilities(of: model, command: "newuser")
        let graph = try session.requireGraph("newuser")
        let k = try o.int("k", default: session.settings.k, range: 1...100)
        var features: [Float]? = nil
        if graph.userFeatures != nil {
            features = try dataset.userFeatureRow(age: age, gender: gender, occupation: occupation)
        } else if age != nil || gender != nil || occupation != nil {
            throw ShellError.message("newuser: \(dataset.name) has no user features; give likes= only")
        }
        let newIndex = graph.userCount
        let changed = graph.addingUser(features: features).adding(likes.map { Edge(newIndex, $0) })
        context.run.report(ProgressUpdate(label: "newuser", done: 0, total: 1, detail: "forward pass"))
        let declared = ColdStart.coldUsers(of: model.recommender, graph: changed)
        let method = ColdStart.method(user: newIndex, graph: changed, declared: declared, refitting: [newIndex])
        let scorer = ColdStart.scorer(model.recommender, graph: changed, refitting: [newIndex], seed: session.settings.seed)
        let top = ExactRetriever.recommend(user: newIndex, scorer: scorer, k: k, excluding: likes)

        var notes: [String] = []
        if let age, let ages = Optional(dataset.users.compactMap(\.age)), let lo = ages.min(), let hi = ages.max(),
           !(lo...hi).contains(age) {
            notes.append("Age \(age) is outside the data set's \(lo)...\(hi): the age feature extrapolates.")
        }
        notes.append("\(modelLabel(model)) ranks this user \(method.explanation).")
        let readsFeatures = (model.recommender as? any NodeInputModel)?.input.useFeatures == true && graph.userFeatures != nil
        if features != nil && (age != nil || gender != nil || occupation != nil) && !readsFeatures {
            notes.append("\(modelLabel(model)) does not read user features: age, gender and occupation change nothing.")
        }
        notes.append("The session is unchanged; try another persona with different options.")
        let persona = [age.map { "age \($0)" }, gender.map { "gender \($0)" }, occupation.map { "occupation \($0)" }]
            .compactMap { $0 } + (likes.isEmpty ? [] : ["likes " + likes.map { dataset.movies[$0].id.description }.joined(separator: ",")])
        let table = Table(name: "items", title: "Top-\(k) for a new user (\(persona.isEmpty ? "no features, no likes" : persona.joined(separator: ", "))) with \(model.name)",
                          columns: [.init("rank", .integer), .init("movie", .integer), .init("title"),
                                    .init("score", .number(decimals: 4))],
                          rows: top.enumerated().map { i, s in
                              [.int(i + 1), .id(dataset.movies[s.item].id), .string(dataset.movies[s.item].title),
                               .double(Double(s.score))]
                          })
        let payload: [(String, Value)] = [
            ("model", .string(model.name)),
            ("persona", .object([("age", age.map { .int($0) } ?? .null), ("gender", gender.map { .string($0) } ?? .null),
                                 ("occupation", occupation.map { .string($0) } ?? .null),
                                 ("likes", .array(likes.map { .id(dataset.movies[$0].id) }))])),
            ("k", .int(k)),
            ("items", .array(top.enumerated().map { i, s in
                .object([("rank", .int(i + 1)), ("movie", .id(dataset.movies[s.item].id)), ("title", .string(dataset.movies[s.item].title)),
                         ("score", .double(Double(s.score)))])
            })),
            ("method", .string(method.rawValue)), ("cold_users", .string(declared.noEdges.rawValue)),
        ]
        return CommandResult(command: "newuser", blocks: [.table(table)], payload: payload, notes: notes)
    }

    /// "50,181,Toy Story" -> movie indices. Titles may themselves contain
    /// commas ("Usual Suspects, The (1995)"): from each piece the longest run
    /// of following non-numeric pieces that names one movie wins.
    static func resolveList(_ text: String, _ d: Dataset) throws -> [Int] {
        let pieces = text.split(separator: ",", omittingEmptySubsequences: true).map(String.init)
        func isNumber(_ p: String) -> Bool { Int(p.trimmingCharacters(in: .whitespaces)) != nil }
        var out: [Int] = []
        var i = 0
        while i < pieces.count {
            var end = i
            if !isNumber(pieces[i]) {
                while end + 1 < pieces.count && end + 1 < i + 4 && !isNumber(pieces[end + 1]) { end += 1 }
            }
            var found: (movie: Int, end: Int)?
            var j = end
            while j > i, found == nil {
                if let m = try? d.resolveMovie(pieces[i...j].joined(separator: ",")) { found = (m, j) }
                j -= 1
            }
            if found == nil {
                do {
                    found = (try d.resolveMovie(pieces[i]), i)
                } catch {
                    throw RecError("likes: \(error)")
                }
            }
            if !out.contains(found!.movie) { out.append(found!.movie) }
            i = found!.end + 1
        }
        return out
    }
}
