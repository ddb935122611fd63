/// How an `LSHIndex` hashes and probes.
public struct LSHConfiguration: Sendable, Equatable, Codable {
    /// How a query chooses buckets.
    public enum Probe: String, Sendable, Codable, CaseIterable {
        /// The seed's method: the nearest non-empty bucket by Hamming distance.
        case bucket
        /// Buckets in increasing Hamming distance until `candidates` movies are collected.
        case hamming
        /// Query-directed multi-probe over norm bands: buckets by estimated inner
        /// product (band's largest norm times the cosine of a margin-weighted
        /// Hamming distance), best first, until `candidates` movies over all tables.
        case multi
    }

    /// Random hyperplanes per table, one code bit each (1...64).
    public var planes: Int
    /// Independent tables; a query's candidates are the union over tables.
    public var tables: Int
    public var probe: Probe
    /// Candidates each table collects under `probe=hamming`, or all tables
    /// together under `probe=multi`; nil means K.
    public var candidates: Int?
    /// Simple-LSH transform so sign hashes follow the inner product, not the cosine.
    public var mips: Bool
    /// Norm ranging for mips: items split into this many equal-count norm
    /// bands, each transformed with its own largest norm (1 = plain simple-LSH).
    public var normBands: Int
    public var seed: UInt64

    public init(planes: Int, tables: Int = 1, probe: Probe = .bucket, candidates: Int? = nil,
                mips: Bool = false, normBands: Int = 1, seed: UInt64 = 0) {
        self.planes = planes
        self.tables = tables
        self.probe = probe
        self.candidates = candidates
        self.mips = mips
        self.normBands = normBands
        self.seed = seed
    }

    /// Reads planes=, tables=, probe=, candidates=, mips=, bands=, seed= (each optional, `planes` defaulting to `defaultPlanes`).
    public init(options: OptionValues, defaultPlanes: Int = 8) throws {
        self.init(planes: try options.int("planes", default: defaultPlanes, range: 1...64),
                  tables: try options.int("tables", default: 1, range: 1...256),
                  probe: Probe(rawValue: try options.choice("probe", default: "bucket", from: Probe.allCases.map(\.rawValue)))!,
                  candidates: options.has("candidates") ? try options.int("candidates", default: 10, range: 1...100_000_000) : nil,
                  mips: try options.bool("mips", default: false),
                  normBands: try options.int("bands", default: 1, range: 1...4096),
                  seed: UInt64(try options.int("seed", default: 0, range: 0...Int.max)))
    }

    /// "planes=16 tables=4 probe=hamming candidates=1000 mips=on".
    public var summary: String {
        var s = "planes=\(planes) tables=\(tables) probe=\(probe.rawValue)"
        if probe != .bucket, let c = candidates { s += " candidates=\(c)" }
        s += " mips=\(mips ? "on" : "off")"
        return mips && normBands > 1 ? s + " bands=\(normBands)" : s
    }
}
