import Crypto
import Foundation
import Tensors

/// Reads a MovieLens directory into a `Dataset`, detecting its layout.
///
/// | layout | files | encoding | features |
/// | --- | --- | --- | --- |
/// | ml-100k | `u.data` (TAB), `u.item`, `u.user`, `u.genre`, `u.occupation` (`|`) | Latin-1 | users 24, movies 18 (as PyG) |
/// | ml-1m | `ratings.dat`, `movies.dat`, `users.dat` (`::`) | Latin-1 | users 24 from its codes, movies 18 |
/// | ml-latest(-small) | `ratings.csv`, `movies.csv` (CSV with header) | UTF-8 | movies: genre flags; users: none |
///
/// Users and movies get dense indices in file order (ml-latest users, which
/// have no file of their own, in ascending id order). A malformed line (wrong
/// field count, non-numeric id, rating out of range, a rating of an unknown
/// user or movie, a duplicate id) stops the load with a `RecError` naming the
/// file, the line and the fault. The checksum is the hex SHA-256 of the
/// ratings file's bytes.
public enum MovieLensLoader {
    /// The file whose presence identifies each layout.
    static let marker: [(Dataset.Layout, String)] = [
        (.ml100k, "u.data"), (.ml1m, "ratings.dat"), (.mlLatest, "ratings.csv"),
    ]

    /// The layout of the MovieLens files directly inside `directory`, if any.
    public static func detectLayout(directory: String) -> Dataset.Layout? {
        marker.first { FileManager.default.fileExists(atPath: join(directory, $0.1)) }?.0
    }

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
    public static func load(directory: String, minRating: Float = 3,
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
                           + "ratings.dat for ml-1m, or ratings.csv for ml-latest)")
        }
        guard minRating.isFinite else { throw RecError("min-rating: expected a number, got \(minRating)") }
        control.report(ProgressUpdate(label: "load \(layout.rawValue)", done: 0, total: 1))
        let dataset: Dataset
        switch layout {
        case .ml100k: dataset = try ML100KReader.read(directory: dir, minRating: minRating)
        case .ml1m: dataset = try ML1MReader.read(directory: dir, minRating: minRating)
        case .mlLatest: dataset = try MLLatestReader.read(directory: dir, minRating: minRating)
        }
        control.report(ProgressUpdate(label: "load \(layout.rawValue)", done: 1, total: 1))
        return dataset
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

/// Shared pieces of the three readers.
enum RatingReader {
    /// Which field holds what, and the accepted rating values.
    struct Format {
        var separator: [UInt8]
        var fieldCount: Int
        var user = 0, movie = 1, rating = 2, timestamp = 3
        var range: ClosedRange<Double>
        /// Ratings must be whole numbers (ml-100k, ml-1m) or halves (ml-latest).
        var step: Double
        var hasHeader = false
        var separatorName: String
    }

    /// Reads every rating, mapping ids through the data set's index tables.
    static func read(_ file: TextFile, format: Format,
                     userIndex: (Int) -> Int?, movieIndex: (Int) -> Int?) throws -> [Rating] {
        var ratings: [Rating] = []
        ratings.reserveCapacity(file.bytes.count / 16)
        var isHeader = format.hasHeader
        try file.forEachLine(separator: format.separator) { line, f in
            if isHeader { isHeader = false; return }
            guard f.count == format.fieldCount else {
                throw file.error(line: line, "expected \(format.fieldCount) \(format.separatorName)-separated fields "
                                 + "(user, movie, rating, timestamp), got \(f.count)")
            }
            guard let userID = FieldParser.int(f[format.user]) else {
                throw file.error(line: line, "user id \(file.quoted(f[format.user])) is not a whole number")
            }
            guard let movieID = FieldParser.int(f[format.movie]) else {
                throw file.error(line: line, "movie id \(file.quoted(f[format.movie])) is not a whole number")
            }
            guard let value = FieldParser.decimal(f[format.rating]) else {
                throw file.error(line: line, "rating \(file.quoted(f[format.rating])) is not a number")
            }
            guard format.range.contains(value), (value / format.step).rounded() == value / format.step else {
                let steps = format.step == 1 ? "whole numbers" : "steps of \(format.step)"
                throw file.error(line: line, "rating \(file.quoted(f[format.rating])) is out of range "
                                 + "(\(format.range.lowerBound)...\(format.range.upperBound) in \(steps))")
            }
            guard let timestamp = FieldParser.int(f[format.timestamp]) else {
                throw file.error(line: line, "timestamp \(file.quoted(f[format.timestamp])) is not a whole number")
            }
            guard let u = userIndex(userID) else { throw file.error(line: line, "unknown user id \(userID)") }
            guard let m = movieIndex(movieID) else { throw file.error(line: line, "unknown movie id \(movieID)") }
            ratings.append(Rating(user: Int32(u), movie: Int32(m), value: Float(value), timestamp: Int64(timestamp)))
        }
        return ratings
    }

    /// Throws if `id` was already seen in `file`, naming the first line.
    static func checkUnique(_ id: Int, line: Int, in firstLine: inout [Int: Int], file: TextFile, what: String) throws {
        if let first = firstLine[id] {
            throw file.error(line: line, "duplicate \(what) id \(id) (first on line \(first))")
        }
        firstLine[id] = line
    }

    static func positiveID(_ field: TextFile.Field, _ what: String, line: Int, file: TextFile) throws -> Int {
        guard let id = FieldParser.int(field) else {
            throw file.error(line: line, "\(what) id \(file.quoted(field)) is not a whole number")
        }
        return id
    }
}
