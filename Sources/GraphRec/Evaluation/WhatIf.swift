/// A what-if question answered by a trained model without retraining: one
/// user's likes are edited (`UserEdit`) and the model's forward pass runs
/// again on the edited graph; the user's top-K before and after, how the user
/// was scored, and how far the edit reached. The session's graph and models
/// are never changed: the edited graph lives only inside the answer.
public struct WhatIf: Sendable {
    /// Other users whose top-K changed as a set, and more that only reordered.
    public struct OthersMoved: Sendable, Equatable {
        public var changed: Int
        public var reordered: Int
    }

    public let edit: UserEdit
    public let k: Int
    /// The edited user's top-K before and after the edit (after excludes the new likes).
    public let before: [ScoredItem], after: [ScoredItem]
    /// The edited user's score of every movie before and after.
    public let scoresBefore: [Float], scoresAfter: [Float]
    /// How the user was scored after the edit (trained, features, a fold-in, popularity).
    public let method: ScoringMethod
    /// What the model's kind says an edit can reach, and what it does for a user without edges.
    public let edits: ModelCapabilities.EditReach
    public let declared: ModelCapabilities.ColdUsers
    /// Nil when only the edited user was re-ranked (see `field`).
    public let othersMoved: OthersMoved?
    /// The receptive field recomputed instead of a second full forward pass.
    public let field: ReceptiveField?

    /// Movies that entered and left the user's top-K, and those that left because the user now likes them.
    public var entered: [Int] { let was = Set(before.map(\.item)); return after.map(\.item).filter { !was.contains($0) } }
    public var left: [Int] { let now = Set(after.map(\.item)); return before.map(\.item).filter { !now.contains($0) } }
    public var nowLiked: [Int] { left.filter(edit.added.contains) }

    /// Answers the edit with `model`. On a graph over `NeighborSampling.largeGraphEdges`
    /// train edges a graph model that can (`ReceptiveFieldModel`) answers from one
    /// forward pass and the edit's receptive field, for the edited user only:
    /// re-ranking every user twice is what made whatif slow at scale.
    public init(model: TrainedModel, edit: UserEdit, k: Int, seed: UInt64, run: RunControl = .silent) throws {
        let edits = try ModelRegistry.kind(model.kind).capabilities.edits
        let declared = ColdStart.coldUsers(of: model.recommender, graph: edit.graph)
        self.edit = edit
        self.k = k
        self.edits = edits
        self.declared = declared
        let graph = edit.graph, user = edit.user
        let methods = [graph.degree(user: user), edit.movies.count].map {
            ColdStart.method(degree: $0, declared: declared, refitted: false)
        }
        if edits == .propagates, graph.edgeCount > NeighborSampling.largeGraphEdges,
           let local = model.recommender as? any ReceptiveFieldModel,
           methods.allSatisfy({ $0 == .trained || $0 == .features }) {
            run.report(ProgressUpdate(label: "whatif", done: 0, total: 1, detail: "forward pass and the edit's receptive field"))
            let scores = local.userScores(edit)
            run.report(ProgressUpdate(label: "whatif", done: 1, total: 1))
            func top(_ row: [Float], excluding: [Int]) -> [ScoredItem] {
                TopK.select(row, k: k, excluding: excluding).map { ScoredItem(item: $0.index, score: $0.score) }
            }
            before = top(scores.before, excluding: graph.movies(ofUser: user).map(Int.init))
            after = top(scores.after, excluding: edit.movies)
            scoresBefore = scores.before
            scoresAfter = scores.after
            method = methods[1]
            othersMoved = nil
            field = scores.field
            return
        }
        // Both forward passes over the whole graph (the edited one rebuilt) and every user re-ranked.
        let changed = edit.added.isEmpty ? graph.removing(edit.removed.map { Edge(user, $0) })
                                         : graph.adding(edit.added.map { Edge(user, $0) })
        let refitting: Set<Int> = edits == .propagates ? [] : [user]
        run.report(ProgressUpdate(label: "whatif", done: 0, total: 2, detail: "forward pass on the training graph"))
        let scorerBefore = ColdStart.scorer(model.recommender, graph: graph, refitting: refitting, seed: seed)
        run.report(ProgressUpdate(label: "whatif", done: 1, total: 2, detail: "forward pass on the edited graph"))
        let scorerAfter = ColdStart.scorer(model.recommender, graph: changed, refitting: refitting, seed: seed)
        run.report(ProgressUpdate(label: "whatif", done: 2, total: 2))
        let listsBefore = ExactRetriever.topK(scorer: scorerBefore, k: k, exclusions: graph.userItems)
        let listsAfter = ExactRetriever.topK(scorer: scorerAfter, k: k, exclusions: changed.userItems)
        var moved = OthersMoved(changed: 0, reordered: 0)
        for u in 0..<graph.userCount where u != user {
            let a = listsBefore.items(of: u).map(\.item), b = listsAfter.items(of: u).map(\.item)
            if Set(a) != Set(b) { moved.changed += 1 } else if a != b { moved.reordered += 1 }
        }
        before = listsBefore.items(of: user)
        after = listsAfter.items(of: user)
        scoresBefore = scorerBefore.scores(user: user)
        scoresAfter = scorerAfter.scores(user: user)
        method = ColdStart.method(user: user, graph: changed, declared: declared, refitting: refitting)
        othersMoved = moved
        field = nil
    }
}
