/// How an `LSHIndex` hashes and probes (issue 5).
public struct LSHConfiguration: Sendable, Equatable, Codable {
    /// How a query chooses buckets.
    public enum Probe: String, Sendable, Codable, CaseIterable {
        /// The seed's method: the nearest non-empty bucket by Hamming distance.
        case bucket
        /// Buckets in increasing Hamming distance until `candidates` movies are collected.
        case hamming
    }

    /// Random hyperplanes per table, one code bit each (1...64).
    public var planes: Int
    /// Independent tables; a query's candidates are the union over tables.
    public var tables: Int
    public var probe: Probe
    /// Candidates each table collects under `probe=hamming`; nil means K.
    public var candidates: Int?
    /// Simple-LSH transform so sign hashes follow the inner product, not the cosine.
    public var mips: Bool
    public var seed: UInt64

    public init(planes: Int, tables: Int = 1, probe: Probe = .bucket, candidates: Int? = nil,
                mips: Bool = false, seed: UInt64 = 0) {
        self.planes = planes
        self.tables = tables
        self.probe = probe
        self.candidates = candidates
        self.mips = mips
        self.seed = seed
    }

    /// Reads planes=, tables=, probe=, candidates=, mips=, seed= (each optional, `planes` defaulting to `defaultPlanes`).
    public init(options: OptionValues, defaultPlanes: Int = 8) throws {
        self.init(planes: try options.int("planes", default: defaultPlanes, range: 1...64),
                  tables: try options.int("tables", default: 1, range: 1...256),
                  probe: Probe(rawValue: try options.choice("probe", default: "bucket", from: Probe.allCases.map(\.rawValue)))!,
                  candidates: options.has("candidates") ? try options.int("candidates", default: 10, range: 1...100_000_000) : nil,
                  mips: try options.bool("mips", default: false),
                  seed: UInt64(try options.int("seed", default: 0, range: 0...Int.max)))
    }

    /// "planes=16 tables=4 probe=hamming candidates=1000 mips=on".
    public var summary: String {
        var s = "planes=\(planes) tables=\(tables) probe=\(probe.rawValue)"
        if probe == .hamming, let c = candidates { s += " candidates=\(c)" }
        return s + " mips=\(mips ? "on" : "off")"
    }
}
