/// Writes a `Chart` as a standalone SVG line chart (axes, ticks, labels,
/// legend), for `plot ... svg=FILE`.
public enum SVGWriter {
    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]

    public static func render(_ chart: Chart, width: Int = 640, height: Int = 400) -> String {
        let left = 70.0, right = 20.0, top = 40.0, bottom = 60.0
        let plotW = Double(width) - left - right, plotH = Double(height) - top - bottom
        let points = chart.series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        var xMin = points.map(\.x).min() ?? 0, xMax = points.map(\.x).max() ?? 1
        var yMin = points.map(\.y).min() ?? 0, yMax = points.map(\.y).max() ?? 1
        if xMin == xMax { xMin -= 1; xMax += 1 }
        if yMin == yMax { yMin -= 1; yMax += 1 }
        func sx(_ x: Double) -> Double { left + (x - xMin) / (xMax - xMin) * plotW }
        func sy(_ y: Double) -> Double { top + (yMax - y) / (yMax - yMin) * plotH }
        func n(_ v: Double) -> String { Value.fixed(v, decimals: 2) }

        var svg = ["<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" "
            + "viewBox=\"0 0 \(width) \(height)\" font-family=\"sans-serif\" font-size=\"12\">"]
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>")
        svg.append("<text x=\"\(n(Double(width) / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">\(escape(chart.title))</text>")
        // Axes.
        svg.append("<line x1=\"\(n(left))\" y1=\"\(n(top + plotH))\" x2=\"\(n(left + plotW))\" y2=\"\(n(top + plotH))\" stroke=\"black\"/>")
        svg.append("<line x1=\"\(n(left))\" y1=\"\(n(top))\" x2=\"\(n(left))\" y2=\"\(n(top + plotH))\" stroke=\"black\"/>")
        for i in 0...4 {
            let fx = xMin + (xMax - xMin) * Double(i) / 4, fy = yMin + (yMax - yMin) * Double(i) / 4
            svg.append("<line x1=\"\(n(sx(fx)))\" y1=\"\(n(top + plotH))\" x2=\"\(n(sx(fx)))\" y2=\"\(n(top + plotH + 5))\" stroke=\"black\"/>")
            svg.append("<text x=\"\(n(sx(fx)))\" y=\"\(n(top + plotH + 18))\" text-anchor=\"middle\">\(TerminalChart.tick(fx, span: xMax - xMin))</text>")
            svg.append("<line x1=\"\(n(left - 5))\" y1=\"\(n(sy(fy)))\" x2=\"\(n(left + plotW))\" y2=\"\(n(sy(fy)))\" stroke=\"#ddd\"/>")
            svg.append("<text x=\"\(n(left - 8))\" y=\"\(n(sy(fy) + 4))\" text-anchor=\"end\">\(TerminalChart.tick(fy, span: yMax - yMin))</text>")
        }
        svg.append("<text x=\"\(n(left + plotW / 2))\" y=\"\(n(Double(height) - 15))\" text-anchor=\"middle\">\(escape(chart.xLabel))</text>")
        svg.append("<text x=\"15\" y=\"\(n(top + plotH / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 15 \(n(top + plotH / 2)))\">\(escape(chart.yLabel))</text>")
        // Series and legend.
        for (i, series) in chart.series.enumerated() {
            let colour = palette[i % palette.count]
            let pts = series.points.filter { $0.x.isFinite && $0.y.isFinite }.map { "\(n(sx($0.x))),\(n(sy($0.y)))" }
            svg.append("<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" points=\"\(pts.joined(separator: " "))\"/>")
            let ly = top + 14 * Double(i)
            svg.append("<line x1=\"\(n(left + plotW - 120))\" y1=\"\(n(ly))\" x2=\"\(n(left + plotW - 100))\" y2=\"\(n(ly))\" stroke=\"\(colour)\" stroke-width=\"2\"/>")
            svg.append("<text x=\"\(n(left + plotW - 95))\" y=\"\(n(ly + 4))\">\(escape(series.name))</text>")
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }
}
