/// A line chart drawn with braille characters (2x4 dots per cell), with
/// labelled axes and a legend. Used for loss curves and LSH sweeps.
/// Each series marks its data points with its own glyph, so series stay
/// apart without colour (pipes, NO_COLOR, copied text).
public enum TerminalChart {
    static let markers: [Character] = ["o", "x", "+", "*", "#", "@"]

    static func marker(_ series: Int) -> String { String(markers[series % markers.count]) }

    /// The chart `width` plot cells wide, narrower when `columns` (the
    /// screen) cannot hold the axis labels beside that many.
    public static func render(_ chart: Chart, width preferred: Int = 60, height: Int = 12, columns: Int? = nil,
                              style: TextStyle) -> String {
        let points = chart.series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        guard !points.isEmpty, preferred > 1, height > 1 else {
            return "\(chart.title)\n(no data to plot)"
        }
        var (xMin, xMax) = (points.map(\.x).min()!, points.map(\.x).max()!)
        var (yMin, yMax) = (points.map(\.y).min()!, points.map(\.y).max()!)
        if xMin == xMax { xMin -= 1; xMax += 1 }
        if yMin == yMax { yMin -= abs(yMin) * 0.1 + 1e-9; yMax += abs(yMax) * 0.1 + 1e-9 }
        let yLabels = [tick(yMax, span: yMax - yMin), tick((yMax + yMin) / 2, span: yMax - yMin),
                       tick(yMin, span: yMax - yMin)]
        let labelWidth = yLabels.map(\.count).max()!
        let width = columns.map { min(preferred, max(10, $0 - labelWidth - 2)) } ?? preferred

        let pixelWidth = width * 2, pixelHeight = height * 4
        var bits = [[UInt8]](repeating: [UInt8](repeating: 0, count: width), count: height)
        var owner = [[Int]](repeating: [Int](repeating: -1, count: width), count: height)

        func pixel(_ p: (x: Double, y: Double)) -> (Int, Int) {
            let px = Int(((p.x - xMin) / (xMax - xMin) * Double(pixelWidth - 1)).rounded())
            let py = Int(((yMax - p.y) / (yMax - yMin) * Double(pixelHeight - 1)).rounded())
            return (px, py)
        }
        func plot(_ x: Int, _ y: Int, series: Int) {
            guard x >= 0, y >= 0, x < pixelWidth, y < pixelHeight else { return }
            let masks: [[UInt8]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]
            bits[y / 4][x / 2] |= masks[x % 2][y % 4]
            owner[y / 4][x / 2] = series
        }
        var markedBy = [[Int]](repeating: [Int](repeating: -1, count: width), count: height)
        for (index, series) in chart.series.enumerated() {
            let pts = series.points.filter { $0.x.isFinite && $0.y.isFinite }.map(pixel)
            for (x, y) in pts where x >= 0 && y >= 0 && x < pixelWidth && y < pixelHeight { markedBy[y / 4][x / 2] = index }
            if pts.count == 1 { plot(pts[0].0, pts[0].1, series: index) }
            for (a, b) in zip(pts, pts.dropFirst()) {
                // Bresenham between consecutive points.
                var (x0, y0) = a
                let (x1, y1) = b
                let dx = abs(x1 - x0), dy = -abs(y1 - y0)
                let sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
                var err = dx + dy
                while true {
                    plot(x0, y0, series: index)
                    if x0 == x1 && y0 == y1 { break }
                    let e2 = 2 * err
                    if e2 >= dy { err += dy; x0 += sx }
                    if e2 <= dx { err += dx; y0 += sy }
                }
            }
        }

        var lines: [String] = []
        if !chart.title.isEmpty { lines.append(style.bold(columns.map { TextWrap.shortened(chart.title, to: $0) } ?? chart.title)) }
        lines.append(String(repeating: " ", count: labelWidth + 1) + chart.yLabel)
        for row in 0..<height {
            var label = ""
            if row == 0 { label = yLabels[0] } else if row == height / 2 { label = yLabels[1] } else if row == height - 1 {
                label = yLabels[2]
            }
            var text = label.padded(to: labelWidth, right: true) + " ┤"
            for col in 0..<width {
                let b = bits[row][col]
                if markedBy[row][col] >= 0 {
                    text += style.series(markedBy[row][col], marker(markedBy[row][col]))
                } else if b == 0 {
                    text += " "
                } else {
                    text += style.series(owner[row][col], String(Character(Unicode.Scalar(0x2800 + UInt32(b))!)))
                }
            }
            lines.append(text.trimmingTrailingSpaces())
        }
        lines.append(String(repeating: " ", count: labelWidth + 1) + "└" + String(repeating: "─", count: width))
        let left = tick(xMin, span: xMax - xMin), right = tick(xMax, span: xMax - xMin)
        let gap = max(1, width - left.count - right.count)
        lines.append(String(repeating: " ", count: labelWidth + 2) + left + String(repeating: " ", count: gap) + right)
        let xLabelPad = labelWidth + 2 + max(0, (width - chart.xLabel.count) / 2)
        lines.append(String(repeating: " ", count: xLabelPad) + chart.xLabel)
        if chart.series.count > 1 || !(chart.series.first?.name.isEmpty ?? true) {
            // The legend on as many lines as the screen needs (its entries carry colour codes, so count without them).
            var line = "", shown = 0
            for (i, series) in chart.series.enumerated() {
                let entry = marker(i) + " " + series.name
                if shown > 0, let columns, labelWidth + 2 + shown + 3 + entry.count > columns {
                    lines.append(String(repeating: " ", count: labelWidth + 2) + line)
                    line = ""
                    shown = 0
                }
                line += (shown > 0 ? "   " : "") + style.series(i, marker(i)) + " " + series.name
                shown += (shown > 0 ? 3 : 0) + entry.count
            }
            lines.append(String(repeating: " ", count: labelWidth + 2) + line)
        }
        return lines.joined(separator: "\n")
    }

    /// An axis label with as many decimals as the span needs.
    static func tick(_ v: Double, span: Double) -> String {
        if span >= 1 && v == v.rounded() { return Value.fixed(v, decimals: 0) }  // epochs, plane counts
        let decimals = span >= 100 ? 0 : span >= 10 ? 1 : span >= 1 ? 2 : span >= 0.01 ? 3 : 5
        return Value.fixed(v, decimals: decimals)
    }
}
