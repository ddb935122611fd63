/// From a data set and a split to the graph the models train on.
extension Dataset {
    /// The user-movie graph over `edges` (normally `split.train`, or every
    /// positive when there is no split yet) with this data set's features.
    public func graph(edges: [Edge]) -> InteractionGraph {
        InteractionGraph(userCount: userCount, movieCount: movieCount, edges: edges,
                         userFeatures: userFeatures, movieFeatures: movieFeatures)
    }

    /// The graph of a split's train part: val/test positives are not in it.
    public func graph(for split: Split) -> InteractionGraph { graph(edges: split.train) }
}
