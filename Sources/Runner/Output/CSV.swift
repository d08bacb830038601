/// CSV text per RFC 4180: comma separated, CRLF-free (`\n` lines, which pandas and every
/// spreadsheet read), a field quoted only when it holds a comma, a quote or a line break,
/// quotes doubled inside quoted fields.
struct CSVTable {
    var header: [String]
    var rows: [[String]] = []

    init(header: [String]) { self.header = header }

    mutating func append(_ row: [String]) {
        precondition(row.count == header.count, "CSV row has \(row.count) fields for \(header.count) columns")
        rows.append(row)
    }

    var text: String {
        var out = Self.line(header)
        for row in rows { out += Self.line(row) }
        return out
    }

    static func line(_ fields: [String]) -> String {
        fields.map(escape).joined(separator: ",") + "\n"
    }

    static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// Number formatting shared by every CSV and table: the shortest text that reads back as the
/// same Double, so files are exact and two identical runs give identical bytes.
enum NumberText {
    static func exact(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return "\(x)"
    }

    /// A readable form for terminal tables, e.g. 0.8734; tiny values keep their digits (2.31e-05).
    static func short(_ x: Double, digits: Int = 4) -> String {
        if x.isNaN { return "nan" }
        if x != 0, abs(x) < 0.001 { return String(format: "%.\(digits - 1)e", x) }
        return String(format: "%.\(digits)f", x)
    }
}

import Foundation
