import Foundation
import Tensors

/// Any ratings table: one row per interaction, in CSV, TSV, `::` or
/// `;`/`|`-separated text, with or without a header, ids of any form.
///
/// Columns are given by 1-based number or, with a header, by name; the
/// defaults are user = 1, item = 2, rating = 3 and time = 4 when the table
/// has those columns (with a header: the columns named like userId/user,
/// movieId/item, rating, timestamp/time). Without a rating column
/// (`rating=none`, or a two-column table) every row is a positive: implicit
/// data, stored as rating 1 with min-rating 1.
///
/// Ids are kept as the table spells them: when every user (or item) id is a
/// plain whole number they are numbers, otherwise all of that kind are text
/// ("007" is text: its zeros would be lost as a number). Dense indices
/// follow id order (numbers ascending, text by code points). `titles=FILE`
/// names the items: `id, title[, genres]` (genres `|`-separated become
/// movie features); items listed there without ratings are kept. There
/// are no user features.
public enum RatingTable {
    public enum Column: Sendable, Equatable, CustomStringConvertible {
        /// 0-based position.
        case position(Int)
        case name(String)
        /// `none`: the table has no such column.
        case absent

        /// `3` (1-based), `none`, or a header name.
        public init(parsing text: String) {
            if text == "none" { self = .absent }
            else if let n = Int(text), n >= 1 { self = .position(n - 1) }
            else { self = .name(text) }
        }

        public var description: String {
            switch self {
            case .position(let i): return String(i + 1)
            case .name(let s): return s
            case .absent: return "none"
            }
        }
    }

    public struct Options: Sendable, Equatable {
        public var user: Column? = nil
        public var item: Column? = nil
        public var rating: Column? = nil
        public var time: Column? = nil
        /// The separator's bytes; nil detects it from the first line (`::`, tab, `,`, `;`, `|`).
        public var separator: String? = nil
        /// nil: a header when the first line names a known column (user, movieId, rating, ...).
        public var header: Bool? = nil
        public var titles: String? = nil
        public var minRating: Float = 3
        public var badLines: BadLinePolicy = .strict

        public init() {}
    }

    static let userNames = ["userid", "user_id", "user", "uid", "customer_id", "reviewerid"]
    static let itemNames = ["movieid", "movie_id", "movie", "itemid", "item_id", "item", "iid", "isbn", "asin", "product_id"]
    static let ratingNames = ["rating", "ratings", "score", "stars", "value", "book-rating", "overall"]
    static let timeNames = ["timestamp", "time", "ts", "unixreviewtime", "date"]

    /// Reads `path` into a data set.
    public static func load(file path: String, options: Options, control: RunControl = .silent) throws -> Dataset {
        guard options.minRating.isFinite else { throw RecError("min-rating: expected a number, got \(options.minRating)") }
        let file = try TextFile(path: path, encoding: .utf8)
        guard let firstLine = firstLine(file) else { throw RecError("\(path): no ratings (the file is empty)") }
        let separator = try options.separator.map { Array($0.utf8) } ?? detectSeparator(firstLine, path: path)
        guard !separator.isEmpty else { throw RecError("sep: the separator is empty") }
        let headerFields = fields(firstLine, separator: separator).map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        let hasHeader = options.header ?? looksLikeHeader(headerFields)
        let width = headerFields.count

        func resolve(_ column: Column?, names: [String], fallback: Int?, what: String) throws -> Int? {
            switch column {
            case .absent?: return nil
            case .position(let i)?:
                guard i < width else {
                    throw RecError("\(what)=\(i + 1): \(path) has \(width) column\(width == 1 ? "" : "s") on its first line")
                }
                return i
            case .name(let name)?:
                guard hasHeader else { throw RecError("\(what)=\(name): a column name needs a header line (header=on)") }
                guard let i = headerFields.firstIndex(of: name.lowercased()) else {
                    throw RecError("\(what)=\(name): no such column in \(path) (header: \(headerFields.joined(separator: ", ")))")
                }
                return i
            case nil:
                if hasHeader, let i = headerFields.firstIndex(where: { names.contains($0) }) { return i }
                return fallback.flatMap { $0 < width ? $0 : nil }
            }
        }
        guard let userColumn = try resolve(options.user, names: userNames, fallback: 0, what: "user") else {
            throw RecError("user=none: the table needs a user column")
        }
        guard let itemColumn = try resolve(options.item, names: itemNames, fallback: 1, what: "item") else {
            throw RecError("item=none: the table needs an item column")
        }
        guard userColumn != itemColumn else { throw RecError("user= and item= name the same column (\(userColumn + 1))") }
        // Without a header, a third or fourth column is only taken by default when it holds numbers.
        let ratingColumn = try resolve(options.rating, names: ratingNames, fallback: hasHeader ? nil : 2, what: "rating")
            .flatMap { c in options.rating == nil && !hasHeader && !isNumber(headerFields, c) ? nil : c }
        let timeColumn = try resolve(options.time, names: timeNames, fallback: hasHeader ? nil : 3, what: "time")
            .flatMap { c in options.time == nil && !hasHeader && !isNumber(headerFields, c) ? nil : c }
        let implicit = ratingColumn == nil

        control.report(ProgressUpdate(label: "load table", done: 0, total: 1))
        let lines = LineChecker(policy: options.badLines)
        let users = IDInterner(), items = IDInterner()
        var rows: [(user: Int32, item: Int32, value: Float, time: Int64)] = []
        var lineNumbers: [UInt32] = []
        rows.reserveCapacity(file.bytes.count / 20)
        let needed = [userColumn, itemColumn, ratingColumn ?? 0, timeColumn ?? 0].max()! + 1
        let quoted = separator.count == 1 && separator[0] != 0x09
        var skipHeader = hasHeader
        try file.forEachRawLine { line, text in
            if skipHeader { skipHeader = false; return }
            try lines.check(file, line: line) {
                let f = try lineFields(text, separator: separator, quoted: quoted, file: file)
                guard f.count >= needed else {
                    throw LineFault("expected at least \(needed) fields separated by \(separatorName(separator)), got \(f.count)")
                }
                let userText = f[userColumn].trimmingCharacters(in: .whitespaces)
                let itemText = f[itemColumn].trimmingCharacters(in: .whitespaces)
                guard !userText.isEmpty else { throw LineFault("empty user id") }
                guard !itemText.isEmpty else { throw LineFault("empty item id") }
                var value: Float = 1
                if let ratingColumn {
                    guard let v = FieldParser.decimal(f[ratingColumn].utf8), v.isFinite else {
                        throw LineFault("rating '\(TextFile.visible(f[ratingColumn]))' is not a number")
                    }
                    value = Float(v)
                }
                var time: Int64 = 0
                if let timeColumn {
                    guard let t = FieldParser.int(f[timeColumn].utf8) else {
                        throw LineFault("time '\(TextFile.visible(f[timeColumn]))' is not a whole number")
                    }
                    time = Int64(t)
                }
                rows.append((users.intern(userText), items.intern(itemText), value, time))
                lineNumbers.append(UInt32(truncatingIfNeeded: line))
            }
        }
        var titles: [Int32: (title: String, genres: [String])] = [:]
        if let titlesPath = options.titles {
            titles = try readTitles(titlesPath, items: items, lines: lines)
        }

        let (userIDs, userMap) = users.finish()
        let (itemIDs, itemMap) = items.finish()
        var ratings: [Rating] = []
        ratings.reserveCapacity(rows.count)
        for r in rows {
            ratings.append(Rating(user: userMap[Int(r.user)], movie: itemMap[Int(r.item)], value: r.value, timestamp: r.time))
        }
        rows = []
        try RatingReader.requireSome(ratings.count, file: file, lines: lines)
        RatingReader.dropDuplicates(&ratings, lineNumbers: lineNumbers, users: userIDs.count, movies: itemIDs.count,
                                    file: file, lines: lines)

        var byIndex = [(title: String, genres: [String])?](repeating: nil, count: itemIDs.count)
        for (interned, entry) in titles { byIndex[Int(itemMap[Int(interned)])] = entry }
        let movies = itemIDs.enumerated().map { i, id in
            Movie(id: id, title: byIndex[i]?.title ?? "item \(id)", genres: byIndex[i]?.genres ?? [])
        }
        let genreColumns = NodeFeatures.dummyCategories(movies.flatMap(\.genres).filter { $0 != MLLatestReader.noGenres })
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        var dataset = Dataset(
            name: name.isEmpty ? "table" : name, layout: .table, directory: path,
            users: userIDs.map { User(id: $0) }, movies: movies, ratings: ratings,
            minRating: implicit ? 1 : options.minRating, userFeatures: nil,
            movieFeatures: genreColumns.isEmpty ? nil : NodeFeatures.genres(movies.map(\.genres), columns: genreColumns),
            userFeatureNames: [], movieFeatureNames: genreColumns,
            checksum: MovieLensLoader.sha256Hex(file.bytes), implicit: implicit, hasTimestamps: timeColumn != nil)
        dataset.report = lines.report
        control.report(ProgressUpdate(label: "load table", done: 1, total: 1))
        return dataset
    }

    /// `id, title[, genres]` rows; items not yet seen are added.
    static func readTitles(_ path: String, items: IDInterner,
                           lines: LineChecker) throws -> [Int32: (title: String, genres: [String])] {
        let file = try TextFile(path: path, encoding: .utf8)
        guard let first = firstLine(file) else { throw RecError("\(path): no titles (the file is empty)") }
        let separator = try detectSeparator(first, path: path)
        let head = fields(first, separator: separator).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var skipHeader = head.first.map { itemNames.contains($0) || $0 == "id" } ?? false
        var out: [Int32: (title: String, genres: [String])] = [:]
        let quoted = separator.count == 1 && separator[0] != 0x09
        try file.forEachRawLine { line, text in
            if skipHeader { skipHeader = false; return }
            try lines.check(file, line: line) {
                let f = try lineFields(text, separator: separator, quoted: quoted, file: file)
                guard f.count >= 2 else {
                    throw LineFault("expected id and title separated by \(separatorName(separator)), got \(f.count) field")
                }
                let id = f[0].trimmingCharacters(in: .whitespaces)
                guard !id.isEmpty else { throw LineFault("empty item id") }
                let genres = f.count >= 3 ? f[2].split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty } : []
                let key = items.intern(id)
                if out[key] != nil { throw LineFault("item id '\(TextFile.visible(id))' is listed twice") }
                out[key] = (f[1], genres)
            }
        }
        return out
    }

    static func firstLine(_ file: TextFile) -> TextFile.Field? {
        var first: TextFile.Field? = nil
        struct Stop: Error {}
        do { try file.forEachRawLine { _, text in first = text; throw Stop() } } catch {}
        return first
    }

    /// `::`, then tab, comma, semicolon, bar: the first the line contains.
    static func detectSeparator(_ line: TextFile.Field, path: String) throws -> [UInt8] {
        let candidates: [[UInt8]] = [[0x3A, 0x3A], [0x09], [0x2C], [0x3B], [0x7C]]
        for c in candidates {
            var found: [TextFile.Field] = []
            TextFile.split(line, separator: c, into: &found)
            if found.count >= 2 { return c }
        }
        throw RecError("\(path) line 1: no separator found (tried '::', tab, ',', ';', '|'); give sep=")
    }

    static func fields(_ line: TextFile.Field, separator: [UInt8]) -> [String] {
        var found: [TextFile.Field] = []
        TextFile.split(line, separator: separator, into: &found)
        return found.map { String(decoding: $0, as: UTF8.self) }
    }

    /// One line's fields: CSV quoting where the separator is one byte other than tab, else a plain split.
    static func lineFields(_ text: TextFile.Field, separator: [UInt8], quoted: Bool, file: TextFile) throws -> [String] {
        guard quoted else { return rawFields(text, separator: separator).map { file.text($0) } }
        guard let parsed = CSV.fields(text, separator: separator[0]) else { throw LineFault("unterminated quoted field") }
        return parsed
    }

    static func rawFields(_ line: TextFile.Field, separator: [UInt8]) -> [TextFile.Field] {
        var found: [TextFile.Field] = []
        TextFile.split(line, separator: separator, into: &found)
        return found
    }

    static func looksLikeHeader(_ names: [String]) -> Bool {
        names.contains { userNames.contains($0) || itemNames.contains($0) || ratingNames.contains($0) || timeNames.contains($0) }
    }

    static func isNumber(_ fields: [String], _ column: Int) -> Bool {
        column < fields.count && FieldParser.decimal(fields[column].utf8) != nil
    }

    static func separatorName(_ separator: [UInt8]) -> String {
        switch separator {
        case [0x09]: return "tabs"
        case [0x2C]: return "commas"
        default: return "'\(String(decoding: separator, as: UTF8.self))'"
        }
    }
}

/// Ids as met in a table, interned to provisional indices, then sorted:
/// numbers while every id is a plain whole number, text from the first one
/// that is not.
final class IDInterner {
    private var numbers: [Int: Int32] = [:]
    private var texts: [String: Int32] = [:]
    /// The ids in provisional-index order, as text (kept only once an id is not a number).
    private var spelled: [String] = []
    private var numeric: [Int] = []
    private var allNumbers = true

    /// The provisional index of `text`.
    func intern(_ text: String) -> Int32 {
        if allNumbers {
            if let n = IDInterner.plainNumber(text) {
                if let i = numbers[n] { return i }
                let i = Int32(numeric.count)
                numbers[n] = i
                numeric.append(n)
                return i
            }
            // The first text id: every id so far becomes text.
            allNumbers = false
            spelled = numeric.map(String.init)
            for (i, s) in spelled.enumerated() { texts[s] = Int32(i) }
            numbers = [:]
        }
        if let i = texts[text] { return i }
        let i = Int32(spelled.count)
        texts[text] = i
        spelled.append(text)
        return i
    }

    /// The ids in sorted order and, per provisional index, its dense index.
    func finish() -> ([NodeID], [Int32]) {
        let ids: [NodeID] = allNumbers ? numeric.map(NodeID.number) : spelled.map(NodeID.text)
        let order = ids.indices.sorted { ids[$0] < ids[$1] }
        var map = [Int32](repeating: 0, count: ids.count)
        for (dense, provisional) in order.enumerated() { map[provisional] = Int32(dense) }
        return (order.map { ids[$0] }, map)
    }

    /// A whole number written plainly: digits with an optional '-', no
    /// leading zeros, at most 18 digits.
    static func plainNumber(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        let digits = bytes.first == 0x2D ? bytes.dropFirst() : bytes[...]
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        if digits.count > 1 && digits.first == 0x30 { return nil }
        return Int(text)
    }
}
