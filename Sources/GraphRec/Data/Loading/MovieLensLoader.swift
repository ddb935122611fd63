import Crypto
import Foundation
import Tensors

/// Reads a MovieLens directory into a `Dataset`, detecting its layout.
///
/// | layout | files | encoding | features |
/// | --- | --- | --- | --- |
/// | ml-100k | `u.data` (TAB), `u.item`, `u.user`, `u.genre`, `u.occupation` (`|`) | Latin-1 | users 24, movies 18 (as PyG) |
/// | ml-1m | `ratings.dat`, `movies.dat`, `users.dat` (`::`) | Latin-1 | users 24 from its codes, movies 18 |
/// | ml-10m | `ratings.dat`, `movies.dat` (`::`, no users file) | UTF-8 | movies: genre flags; users: none |
/// | ml-latest, ml-20m and later | `ratings.csv`, `movies.csv` (CSV with header) | UTF-8 | movies: genre flags; users: none |
///
/// Users and movies get dense indices in file order (users without a file
/// of their own in ascending id order). A malformed line (wrong field count,
/// non-numeric or non-positive id, rating out of range, a rating of an
/// unknown user or movie, a duplicate id) stops the load with a `RecError`
/// naming the file, the line and the fault, or under `bad-lines=skip` is
/// left out and counted in `Dataset.report`. A user-movie pair rated twice
/// keeps its first rating; the rest are counted as duplicates. An empty
/// file is an error. The checksum is the hex SHA-256 of the ratings file.
public enum MovieLensLoader {
    /// The file whose presence identifies each layout, most specific first.
    static func detect(_ directory: String) -> Dataset.Layout? {
        let has = { FileManager.default.fileExists(atPath: join(directory, $0)) }
        if has("u.data") { return .ml100k }
        if has("ratings.dat") { return has("users.dat") ? .ml1m : .ml10m }
        if has("ratings.csv") { return .mlLatest }
        return nil
    }

    /// The layout of the MovieLens files directly inside `directory`, if any.
    public static func detectLayout(directory: String) -> Dataset.Layout? { detect(directory) }

    /// `directory` itself when it holds MovieLens files, else its one
    /// sub-directory that does (an unzipped archive's `ml-100k/`), else nil.
    public static func dataDirectory(in directory: String) -> String? {
        if detectLayout(directory: directory) != nil { return directory }
        let children = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let found = children.sorted().map { join(directory, $0) }.filter { detectLayout(directory: $0) != nil }
        return found.count == 1 ? found[0] : nil
    }

    /// Loads the data set in `directory` (or in its single MovieLens
    /// sub-directory). Ratings >= `minRating` are the positives.
    public static func load(directory: String, minRating: Float = 3, badLines: BadLinePolicy = .strict,
                            control: RunControl = .silent) throws -> Dataset {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw RecError("\(directory): no such directory")
        }
        guard isDirectory.boolValue else { throw RecError("\(directory): not a directory") }
        guard let dir = dataDirectory(in: directory), let layout = detectLayout(directory: dir) else {
            let children = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
                .filter { detectLayout(directory: join(directory, $0)) != nil }
            if children.count > 1 {
                throw RecError("\(directory): several data sets inside (\(children.joined(separator: ", "))); "
                               + "name one, e.g. \(join(directory, children[0]))")
            }
            throw RecError("\(directory): no MovieLens files found (expected u.data for ml-100k, "
                           + "ratings.dat for ml-1m/ml-10m, or ratings.csv for ml-20m and later)")
        }
        guard minRating.isFinite else { throw RecError("min-rating: expected a number, got \(minRating)") }
        control.report(ProgressUpdate(label: "load \(layout.rawValue)", done: 0, total: 1))
        let lines = LineChecker(policy: badLines)
        var dataset: Dataset
        switch layout {
        case .ml100k: dataset = try ML100KReader.read(directory: dir, minRating: minRating, lines: lines)
        case .ml1m, .ml10m: dataset = try ML1MReader.read(directory: dir, minRating: minRating, lines: lines)
        case .mlLatest: dataset = try MLLatestReader.read(directory: dir, minRating: minRating, lines: lines)
        case .table, .synthetic: throw RecError("\(directory): not a MovieLens directory")
        }
        dataset.report = lines.report
        control.report(ProgressUpdate(label: "load \(layout.rawValue)", done: 1, total: 1))
        return dataset
    }

    /// The file whose SHA-256 is the data set's checksum, per layout.
    public static func ratingFile(_ layout: Dataset.Layout) -> String? {
        switch layout {
        case .ml100k: return "u.data"
        case .ml1m, .ml10m: return "ratings.dat"
        case .mlLatest: return "ratings.csv"
        case .table, .synthetic: return nil
        }
    }

    /// The data set's name: the directory's own name when it is a GroupLens
    /// one ("ml-25m", "ml-10M100K" as "ml-10m"), else the layout's.
    static func name(of directory: String, layout: Dataset.Layout) -> String {
        let base = URL(fileURLWithPath: directory).lastPathComponent.lowercased()
        if base == "ml-10m100k" { return "ml-10m" }
        if base.hasPrefix("ml-"), base.count <= 20 { return base }
        return layout.rawValue
    }

    static func join(_ directory: String, _ file: String) -> String {
        directory.hasSuffix("/") ? directory + file : directory + "/" + file
    }

    /// Hex SHA-256 of the bytes.
    static func sha256Hex(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// Hex SHA-256 of a file's bytes (the data set checksum is this of its ratings file).
    public static func checksum(ofFile path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RecError("\(path): cannot read the file")
        }
        return sha256Hex([UInt8](data))
    }
}

/// Shared pieces of the readers.
enum RatingReader {
    /// Which field holds what, and the accepted rating values.
    struct Format {
        var separator: [UInt8]
        var fieldCount: Int
        var user = 0, movie = 1, rating = 2, timestamp = 3
        var range: ClosedRange<Double>
        /// Ratings must be whole numbers (ml-100k, ml-1m) or halves (ml-10m, ml-latest).
        var step: Double
        var hasHeader = false
        var separatorName: String
    }

    /// Reads every rating, mapping ids through the data set's index tables;
    /// drops repeated user-movie pairs (counted in `lines`). Throws when
    /// no rating is left.
    static func read(_ file: TextFile, format: Format, lines: LineChecker, users: Int, movies: Int,
                     userIndex: (Int) -> Int?, movieIndex: (Int) -> Int?) throws -> [Rating] {
        var ratings: [Rating] = []
        var lineNumbers: [UInt32] = []
        ratings.reserveCapacity(file.bytes.count / 16)
        lineNumbers.reserveCapacity(file.bytes.count / 16)
        var isHeader = format.hasHeader
        try file.forEachLine(separator: format.separator) { line, f in
            if isHeader { isHeader = false; return }
            try lines.check(file, line: line) {
                ratings.append(try parse(f, format: format, file: file, userIndex: userIndex, movieIndex: movieIndex))
                lineNumbers.append(UInt32(truncatingIfNeeded: line))
            }
        }
        try requireSome(ratings.count, file: file, lines: lines)
        dropDuplicates(&ratings, lineNumbers: lineNumbers, users: users, movies: movies, file: file, lines: lines)
        return ratings
    }

    static func parse(_ f: [TextFile.Field], format: Format, file: TextFile,
                      userIndex: (Int) -> Int?, movieIndex: (Int) -> Int?) throws -> Rating {
        guard f.count == format.fieldCount else {
            throw LineFault("expected \(format.fieldCount) \(format.separatorName)-separated fields "
                            + "(user, movie, rating, timestamp), got \(f.count)")
        }
        let userID = try positiveID(f[format.user], "user", file: file)
        let movieID = try positiveID(f[format.movie], "movie", file: file)
        let value = try rating(f[format.rating], range: format.range, step: format.step, file: file)
        guard let timestamp = FieldParser.int(f[format.timestamp]) else {
            throw LineFault("timestamp \(file.quoted(f[format.timestamp])) is not a whole number")
        }
        guard let u = userIndex(userID) else { throw LineFault("unknown user id \(userID)") }
        guard let m = movieIndex(movieID) else { throw LineFault("unknown movie id \(movieID)") }
        return Rating(user: Int32(u), movie: Int32(m), value: Float(value), timestamp: Int64(timestamp))
    }

    /// A rating within `range` in steps of `step`.
    static func rating(_ field: TextFile.Field, range: ClosedRange<Double>, step: Double, file: TextFile) throws -> Double {
        guard let value = FieldParser.decimal(field) else {
            throw LineFault("rating \(file.quoted(field)) is not a number")
        }
        guard range.contains(value), (value / step).rounded() == value / step else {
            let steps = step == 1 ? "whole numbers" : "steps of \(step)"
            throw LineFault("rating \(file.quoted(field)) is out of range "
                            + "(\(range.lowerBound)...\(range.upperBound) in \(steps))")
        }
        return value
    }

    /// An empty rating file (or one whose every line was skipped) is an error.
    static func requireSome(_ count: Int, file: TextFile, lines: LineChecker) throws {
        guard count == 0 else { return }
        if lines.report.skippedLines > 0 {
            throw RecError("\(file.path): no ratings left after skipping \(lines.report.skippedLines) bad lines "
                           + "(first: line \(lines.report.skipped.first?.line ?? 0): \(lines.report.skipped.first?.reason ?? ""))")
        }
        throw RecError("\(file.path): no ratings (the file has no rating lines)")
    }

    /// Keeps each user-movie pair's first rating, in O(ratings + users +
    /// movies): ratings are bucketed by user, and a per-movie stamp marks the
    /// movies the current user has already rated.
    static func dropDuplicates(_ ratings: inout [Rating], lineNumbers: [UInt32], users: Int, movies: Int,
                               file: TextFile, lines: LineChecker) {
        let n = ratings.count
        guard n > 1, users > 0, movies > 0 else { return }
        var start = [Int](repeating: 0, count: users + 1)
        for r in ratings { start[Int(r.user) + 1] += 1 }
        for u in 0..<users { start[u + 1] += start[u] }
        var order = [Int32](repeating: 0, count: n)
        var fill = start
        for (i, r) in ratings.enumerated() { order[fill[Int(r.user)]] = Int32(i); fill[Int(r.user)] += 1 }
        var stamp = [Int32](repeating: -1, count: movies)
        var duplicate: [Bool]? = nil
        var count = 0, firstLine = UInt32.max
        for u in 0..<users {
            for k in start[u]..<start[u + 1] {
                let i = Int(order[k])
                let m = Int(ratings[i].movie)
                if stamp[m] == Int32(u) {
                    if duplicate == nil { duplicate = [Bool](repeating: false, count: n) }
                    duplicate![i] = true
                    count += 1
                    firstLine = min(firstLine, lineNumbers[i])
                } else {
                    stamp[m] = Int32(u)
                }
            }
        }
        guard let duplicate else { return }
        var kept: [Rating] = []
        kept.reserveCapacity(n - count)
        for i in 0..<n where !duplicate[i] { kept.append(ratings[i]) }
        ratings = kept
        lines.noteDuplicates(count, first: "\(file.path.split(separator: "/").last.map(String.init) ?? file.path) line \(firstLine)")
    }

    /// A MovieLens id: a whole number >= 1.
    static func positiveID(_ field: TextFile.Field, _ what: String, file: TextFile) throws -> Int {
        guard let id = FieldParser.int(field) else {
            throw LineFault("\(what) id \(file.quoted(field)) is not a whole number")
        }
        guard id >= 1 else { throw LineFault("\(what) id \(id) is not a positive whole number (MovieLens ids start at 1)") }
        return id
    }
}

/// The movies or users of a file as it is read: the records in file order,
/// each id's index among them, and the line each id was first on, so that
/// a repeated id is an error naming that line.
struct RecordsByID<Record> {
    /// "movie" or "user", for messages.
    let what: String
    private(set) var records: [Record] = []
    private(set) var index: [Int: Int] = [:]
    private var firstLine: [Int: Int] = [:]

    init(_ what: String) { self.what = what }

    /// Throws if `id` was already read, naming the line it was first on.
    mutating func claim(_ id: Int, line: Int) throws {
        if let first = firstLine[id] {
            throw LineFault("duplicate \(what) id \(id) (first on line \(first))")
        }
        firstLine[id] = line
    }

    mutating func append(_ record: Record, id: Int) {
        index[id] = records.count
        records.append(record)
    }

    /// Reads a users or movies file of `what`s: a line is `fieldCount`
    /// fields (`fields` names them in the error) split at `separator`, a
    /// unique positive id first; `record` checks and builds the rest.
    static func read(_ file: TextFile, separator: [UInt8], lines: LineChecker, what: String, fieldCount: Int,
                     fields: String, _ record: (Int, [TextFile.Field]) throws -> Record) throws -> ([Record], [Int: Int]) {
        var table = RecordsByID(what)
        try file.forEachLine(separator: separator) { line, f in
            try lines.check(file, line: line) {
                guard f.count == fieldCount else {
                    throw LineFault("expected \(fieldCount) '\(String(decoding: separator, as: UTF8.self))'-separated fields "
                                    + "(\(fields)), got \(f.count)")
                }
                let id = try RatingReader.positiveID(f[0], what, file: file)
                try table.claim(id, line: line)
                table.append(try record(id, f), id: id)
            }
        }
        return try table.finished(file)
    }

    /// The records and each id's index; a header-less file with no line, or
    /// a CSV with only its header, is an error.
    func finished(_ file: TextFile) throws -> ([Record], [Int: Int]) {
        guard !records.isEmpty else { throw RecError("\(file.path): no \(what)s (no line of the file holds one)") }
        return (records, index)
    }
}
