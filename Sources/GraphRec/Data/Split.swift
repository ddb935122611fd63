/// Train, validation and test positives, and how they were made.
///
/// The graph the models see holds `train` only. Evaluation on `test`
/// excludes train and validation positives from each user's ranking.
public struct Split: Sendable, Equatable {
    public enum Kind: Sendable, Equatable, Codable, CustomStringConvertible {
        /// Each user's positives split by `ratios`.
        case warm
        /// Users split by `ratios`; val/test users keep no edges in the graph.
        case cold
        /// A GroupLens split, u1..u5, ua, ub.
        case official(String)
        /// User-supplied TSV files.
        case files

        public var description: String {
            switch self {
            case .warm: "warm"
            case .cold: "cold"
            case .official(let name): "official \(name)"
            case .files: "files"
            }
        }
    }

    public var kind: Kind
    /// Percentages train/val/test, e.g. [80, 10, 10]; empty for official and files splits.
    public var ratios: [Int]
    public var seed: UInt64
    public var train: [Edge]
    public var validation: [Edge]
    public var test: [Edge]

    public init(kind: Kind, ratios: [Int], seed: UInt64, train: [Edge], validation: [Edge], test: [Edge]) {
        self.kind = kind
        self.ratios = ratios
        self.seed = seed
        self.train = train
        self.validation = validation
        self.test = test
    }

    /// The edges of one part.
    public func edges(_ part: Part) -> [Edge] {
        switch part {
        case .train: train
        case .validation: validation
        case .test: test
        }
    }

    public enum Part: String, Sendable, Codable {
        case train, validation = "val", test
    }
}
