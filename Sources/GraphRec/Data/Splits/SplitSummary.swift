/// The figures `split` reports: how many edges each part has and how the
/// users spread over the parts.
public struct SplitSummary: Sendable, Equatable, Codable {
    /// Users with at least one edge in any part.
    public var users: Int
    public var trainEdges: Int
    public var validationEdges: Int
    public var testEdges: Int
    public var usersInTrain: Int
    public var usersInValidation: Int
    public var usersInTest: Int
    /// Users with edges but none in test: they are skipped by test evaluation.
    public var usersWithoutTest: Int

    public init(_ split: Split) {
        let train = Set(split.train.map(\.user))
        let validation = Set(split.validation.map(\.user))
        let test = Set(split.test.map(\.user))
        let all = train.union(validation).union(test)
        users = all.count
        trainEdges = split.train.count
        validationEdges = split.validation.count
        testEdges = split.test.count
        usersInTrain = train.count
        usersInValidation = validation.count
        usersInTest = test.count
        usersWithoutTest = all.subtracting(test).count
    }
}

extension Split {
    public var summary: SplitSummary { SplitSummary(self) }
}
