/// A user's likes edited and a trained model's recommendations re-run on
/// the edited graph, without retraining: the user's top-K before and after,
/// how the user was scored, and how far the edit reached. Nothing the
/// caller holds changes; the edited graph lives only inside.
public enum WhatIf {
    /// The edited user's lists and scores before and after, how they were
    /// scored, and (when every user was re-ranked) how many other users' lists moved.
    public struct Outcome {
        public var before: [ScoredItem], after: [ScoredItem]
        public var scoresBefore: [Float], scoresAfter: [Float]
        public var method: ScoringMethod
        /// Other users whose top-K changed as a set, and more that only reordered; nil when not computed.
        public var affected: (changed: Int, reordered: Int)?
        /// The receptive field recomputed instead of a second full forward pass.
        public var field: ReceptiveField?
    }

    /// `edit` applied to `model`: from the edit's receptive field where the
    /// model and the graph's size allow it, else by two full forward passes.
    /// `edits` and `declared` are the model kind's declared capabilities.
    public static func run(_ model: TrainedModel, edit: UserEdit, edits: ModelCapabilities.EditReach,
                           declared: ModelCapabilities.ColdUsers, k: Int, seed: UInt64, control: RunControl) -> Outcome {
        local(model, edit: edit, edits: edits, declared: declared, k: k, control: control)
            ?? full(model, edit: edit, edits: edits, declared: declared, k: k, seed: seed, control: control)
    }

    /// Both forward passes over the whole graph (the edited one rebuilt) and every user re-ranked.
    static func full(_ model: TrainedModel, edit: UserEdit, edits: ModelCapabilities.EditReach,
                     declared: ModelCapabilities.ColdUsers, k: Int, seed: UInt64, control: RunControl) -> Outcome {
        let graph = edit.graph, user = edit.user
        let changed = edit.added.isEmpty ? graph.removing(edit.removed.map { Edge(user, $0) })
                                         : graph.adding(edit.added.map { Edge(user, $0) })
        let refitting: Set<Int> = edits == .propagates ? [] : [user]
        control.report(ProgressUpdate(label: "whatif", done: 0, total: 2, detail: "forward pass on the training graph"))
        let before = ColdStart.scorer(model.recommender, graph: graph, refitting: refitting, seed: seed)
        control.report(ProgressUpdate(label: "whatif", done: 1, total: 2, detail: "forward pass on the edited graph"))
        let after = ColdStart.scorer(model.recommender, graph: changed, refitting: refitting, seed: seed)
        let method = ColdStart.method(user: user, graph: changed, declared: declared, refitting: refitting)
        control.report(ProgressUpdate(label: "whatif", done: 2, total: 2))
        let listsBefore = ExactRetriever.topK(scorer: before, k: k, exclusions: graph.userItems)
        let listsAfter = ExactRetriever.topK(scorer: after, k: k, exclusions: changed.userItems)
        var affected = 0, reordered = 0
        for u in 0..<graph.userCount where u != user {
            let a = listsBefore.items(of: u).map(\.item), b = listsAfter.items(of: u).map(\.item)
            if Set(a) != Set(b) { affected += 1 } else if a != b { reordered += 1 }
        }
        return Outcome(before: listsBefore.items(of: user), after: listsAfter.items(of: user),
                       scoresBefore: before.scores(user: user), scoresAfter: after.scores(user: user),
                       method: method, affected: (affected, reordered), field: nil)
    }

    /// On a graph over `NeighborSampling.largeGraphEdges` train edges, a graph
    /// model that can (`ReceptiveFieldModel`) answers from one forward pass and
    /// the edit's receptive field, for the edited user only: re-ranking every
    /// user twice is what made whatif slow at scale. Nil when the full path
    /// answers (a small graph, another model, or a user scored by popularity).
    static func local(_ model: TrainedModel, edit: UserEdit, edits: ModelCapabilities.EditReach,
                      declared: ModelCapabilities.ColdUsers, k: Int, control: RunControl) -> Outcome? {
        let graph = edit.graph, user = edit.user
        guard edits == .propagates, graph.edgeCount > NeighborSampling.largeGraphEdges,
              let local = model.recommender as? any ReceptiveFieldModel else { return nil }
        let methods = [graph.degree(user: user), edit.movies.count].map {
            ColdStart.method(degree: $0, declared: declared, refitted: false)
        }
        guard methods.allSatisfy({ $0 == .trained || $0 == .features }) else { return nil }
        control.report(ProgressUpdate(label: "whatif", done: 0, total: 1, detail: "forward pass and the edit's receptive field"))
        let scores = local.userScores(edit)
        control.report(ProgressUpdate(label: "whatif", done: 1, total: 1))
        func top(_ row: [Float], excluding: [Int]) -> [ScoredItem] {
            TopK.select(row, k: k, excluding: excluding).map { ScoredItem(item: $0.index, score: $0.score) }
        }
        return Outcome(before: top(scores.before, excluding: graph.movies(ofUser: user).map(Int.init)),
                       after: top(scores.after, excluding: edit.movies),
                       scoresBefore: scores.before, scoresAfter: scores.after,
                       method: methods[1], affected: nil, field: scores.field)
    }
}
