/// Whether a target is a class or a value, when the data itself does not say (the file's
/// words for it are Spec's `TaskKind`).
public enum TargetKind: Sendable, Equatable, CaseIterable {
    case classification, regression
}

/// A CSV file with a header row, and which of its columns to learn from.
public struct CSVSource: Sendable, Equatable {
    /// The file.
    public var path: String
    /// The feature columns, in this order; nil means every column that is not a target.
    public var features: [String]?
    /// One or more target columns (classification takes exactly one).
    public var target: [String]
    /// The task, when the target's values should not decide it (see `CSV`).
    public var task: TargetKind?
    /// Drop rows with a missing or non-numeric value instead of failing (and count them).
    public var dropInvalid: Bool
    /// The field separator, `,` unless told otherwise.
    public var delimiter: UInt8

    public init(path: String, target: [String], features: [String]? = nil, task: TargetKind? = nil,
                dropInvalid: Bool = false, delimiter: UInt8 = UInt8(ascii: ",")) {
        self.path = path
        self.features = features
        self.target = target
        self.task = task
        self.dropInvalid = dropInvalid
        self.delimiter = delimiter
    }
}

/// Comma-separated values as RFC 4180 writes them: a header row, fields separated by
/// commas, a field in double quotes may hold commas, line breaks and doubled quotes (`""`
/// for one `"`), and lines end in LF or CRLF. A byte-order mark before the header is
/// skipped, and so are empty lines.
///
/// Features must be numbers (anything Swift's `Double` parses, finite). The target decides
/// the task unless `task` is given:
/// - every target value a number → regression, one output per target column;
/// - any target value not a number → classification: the distinct values, sorted, become
///   class indices 0, 1, … and their names are kept;
/// - `task: classification` with numeric values → classes are the distinct numbers sorted
///   numerically (as scikit-learn's `LabelEncoder`), named as first written in the file.
///
/// A missing (empty) or non-numeric value is an error naming the file, line and column,
/// unless `dropInvalid` is set: then the row is dropped and counted. A row with the wrong
/// number of fields is always an error.
public enum CSV {
    /// One record and the 1-based line it starts on.
    struct Record {
        var line: Int
        var fields: [String]
    }

    /// A loaded CSV file: the data set and how many rows were dropped as invalid.
    public struct Loaded: Sendable {
        public var dataset: Dataset
        /// Rows dropped because `dropInvalid` was set.
        public var droppedRows: Int
        /// The line of the first dropped row, for the message.
        public var firstDroppedLine: Int?
    }

    /// Splits `bytes` into records by RFC 4180.
    static func records(_ bytes: [UInt8], path: String, delimiter: UInt8 = UInt8(ascii: ",")) throws(DataError) -> [Record] {
        let quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        var records = [Record]()
        var fields = [String]()
        var field = [UInt8]()
        var inQuotes = false, afterQuote = false, recordHasQuote = false
        var line = 1, recordLine = 1
        var i = 0
        let n = bytes.count
        if n >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { i = 3 }

        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            afterQuote = false
        }
        func endRecord() {
            // An empty line is one empty, unquoted field: skip it.
            if !(fields.count == 1 && fields[0].isEmpty && !recordHasQuote) {
                records.append(Record(line: recordLine, fields: fields))
            }
            fields.removeAll(keepingCapacity: true)
            recordHasQuote = false
        }

        while i < n {
            let c = bytes[i]
            if inQuotes {
                if c == quote {
                    if i + 1 < n && bytes[i + 1] == quote {
                        field.append(quote)
                        i += 2
                        continue
                    }
                    inQuotes = false
                    afterQuote = true
                } else {
                    if c == lf || (c == cr && !(i + 1 < n && bytes[i + 1] == lf)) { line += 1 }
                    field.append(c)
                }
                i += 1
                continue
            }
            if c == delimiter {
                endField()
            } else if c == lf || c == cr {
                endField()
                endRecord()
                if c == cr && i + 1 < n && bytes[i + 1] == lf { i += 1 }
                line += 1
                recordLine = line
            } else if c == quote {
                if afterQuote {
                    throw .badCSV(path: path, line: line, column: "\(fields.count + 1)", reason: EngineSay.quoteAfterQuote)
                }
                if field.isEmpty {
                    inQuotes = true
                    recordHasQuote = true
                } else {
                    field.append(c)   // a stray quote inside an unquoted field: kept as a character
                }
            } else {
                if afterQuote {
                    throw .badCSV(path: path, line: line, column: "\(fields.count + 1)", reason: EngineSay.textAfterQuote)
                }
                field.append(c)
            }
            i += 1
        }
        if inQuotes {
            throw .badCSV(path: path, line: recordLine, column: "\(fields.count + 1)", reason: EngineSay.unclosedQuote)
        }
        if !field.isEmpty || !fields.isEmpty || afterQuote {
            endField()
            endRecord()
        }
        return records
    }

    /// A finite number from a field (surrounding spaces and tabs allowed), or nil.
    static func number(_ s: String) -> Double? {
        var t = Substring(s)
        while let f = t.first, f == " " || f == "\t" { t = t.dropFirst() }
        while let l = t.last, l == " " || l == "\t" { t = t.dropLast() }
        guard !t.isEmpty, let v = Double(t), v.isFinite else { return nil }
        return v
    }

    /// Why a field is not a usable number: missing, not numeric, not finite ("nan", "inf"),
    /// or beyond float32's range (the engine computes in float32, where it would become ∞).
    static func whyNotNumber(_ text: String) -> String {
        let t = text.trimmingSpaces()
        if t.isEmpty { return EngineSay.missingValue }
        guard let v = Double(t) else { return EngineSay.notANumber(text) }
        if !v.isFinite { return EngineSay.notFinite(String(t)) }
        return EngineSay.beyondFloat32(String(t))
    }

    /// A number from a field that stays finite as float32, or nil.
    static func float(_ s: String) -> Float? {
        guard let v = number(s) else { return nil }
        let f = Float(v)
        return f.isFinite ? f : nil
    }

    /// Loads `source` into a data set.
    public static func load(_ source: CSVSource) throws(DataError) -> Loaded {
        let path = source.path
        let bytes = try FileBytes.read(path)
        let all = try records(bytes, path: path, delimiter: source.delimiter)
        guard let header = all.first else {
            throw .badCSV(path: path, line: 1, column: nil, reason: EngineSay.emptyCSV)
        }
        let names = header.fields.map { $0.trimmingSpaces() }
        func index(of name: String, role: String) throws(DataError) -> Int {
            guard let i = names.firstIndex(of: name) else {
                throw .badCSV(path: path, line: header.line, column: nil,
                              reason: EngineSay.noSuchColumn(role, name, columns: names))
            }
            return i
        }
        guard !source.target.isEmpty else { throw .invalidParameter(EngineSay.noTargetColumn(path)) }
        var targetColumns = [Int]()
        for name in source.target { targetColumns.append(try index(of: name, role: "target")) }
        var featureColumns = [Int]()
        if let features = source.features {
            for name in features {
                let i = try index(of: name, role: "feature")
                if targetColumns.contains(i) {
                    throw .invalidParameter(EngineSay.featureIsTarget(path, name))
                }
                featureColumns.append(i)
            }
        } else {
            featureColumns = names.indices.filter { !targetColumns.contains($0) }
        }
        guard !featureColumns.isEmpty else { throw .invalidParameter(EngineSay.noFeatureColumns(path)) }

        let rows = all.dropFirst()
        for row in rows where row.fields.count != names.count {
            throw .badCSV(path: path, line: row.line, column: nil,
                          reason: EngineSay.fieldCount(row.fields.count, header: names.count))
        }
        func columnName(_ c: Int) -> String { EngineSay.columnName(names[c], number: c + 1) }

        // The task: declared, or regression when every target value is a number.
        let kind: TargetKind
        if let declared = source.task {
            kind = declared
        } else {
            let allNumeric = rows.allSatisfy { row in
                targetColumns.allSatisfy { c in
                    let v = row.fields[c].trimmingSpaces()
                    // "nan" and "inf" count as numbers here, so they are reported as
                    // not finite rather than silently becoming class names.
                    return v.isEmpty || Double(v) != nil
                }
            }
            kind = allNumeric ? .regression : .classification
        }
        if kind == .classification && targetColumns.count != 1 {
            throw .invalidParameter(EngineSay.oneTargetColumn(path, got: source.target))
        }

        var x = [Float](), y = [Float]()
        x.reserveCapacity(rows.count * featureColumns.count)
        var classText = [String]()          // classification: each kept row's target text
        var dropped = 0
        var firstDropped: Int?
        rowLoop: for row in rows {
            func invalid(_ c: Int, _ reason: String) throws(DataError) {
                if !source.dropInvalid { throw .badCSV(path: path, line: row.line, column: columnName(c), reason: reason) }
            }
            var rowX = [Float]()
            rowX.reserveCapacity(featureColumns.count)
            var ok = true
            for c in featureColumns {
                let text = row.fields[c]
                if let v = float(text) {
                    rowX.append(v)
                } else {
                    try invalid(c, whyNotNumber(text))
                    ok = false
                    break
                }
            }
            var rowY = [Float]()
            if ok {
                for c in targetColumns {
                    let text = row.fields[c].trimmingSpaces()
                    if text.isEmpty {
                        try invalid(c, EngineSay.missingTarget); ok = false; break
                    }
                    if kind == .regression {
                        guard let v = float(text) else {
                            try invalid(c, whyNotNumber(text) + EngineSay.regressionTarget); ok = false; break
                        }
                        rowY.append(v)
                    }
                }
            }
            guard ok else {
                dropped += 1
                if firstDropped == nil { firstDropped = row.line }
                continue rowLoop
            }
            x.append(contentsOf: rowX)
            if kind == .regression { y.append(contentsOf: rowY) } else { classText.append(row.fields[targetColumns[0]].trimmingSpaces()) }
        }

        let task: Task
        if kind == .regression {
            task = .regression(outputs: targetColumns.count)
        } else {
            let (indices, classNames) = encodeClasses(classText)
            y = indices.map(Float.init)
            task = .classification(classes: classNames.count, names: classNames)
        }
        guard !y.isEmpty else {
            throw .badCSV(path: path, line: header.line, column: nil,
                          reason: dropped > 0 ? EngineSay.everyRowDropped(dropped) : EngineSay.noDataRows)
        }
        let dataset = Dataset(sampleShape: [featureColumns.count], x: x, y: y, task: task)
        return Loaded(dataset: dataset, droppedRows: dropped, firstDroppedLine: firstDropped)
    }

    /// Class indices for `values`: numbers sorted numerically when all are numbers (named as
    /// first written), else the distinct strings sorted.
    static func encodeClasses(_ values: [String]) -> (indices: [Int], names: [String]) {
        var index = [String: Int]()
        var names = [String]()
        let numbers = values.map(number)
        if numbers.allSatisfy({ $0 != nil }) {
            var firstSpelling = [Double: String]()
            for (v, text) in zip(numbers, values) where firstSpelling[v!] == nil { firstSpelling[v!] = text }
            let sorted = firstSpelling.keys.sorted()
            var byValue = [Double: Int]()
            for (i, v) in sorted.enumerated() { byValue[v] = i }
            names = sorted.map { firstSpelling[$0]! }
            return (numbers.map { byValue[$0!]! }, names)
        }
        names = Set(values).sorted()
        for (i, name) in names.enumerated() { index[name] = i }
        return (values.map { index[$0]! }, names)
    }
}

fileprivate extension String {
    /// Without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        var t = Substring(self)
        while let f = t.first, f == " " || f == "\t" { t = t.dropFirst() }
        while let l = t.last, l == " " || l == "\t" { t = t.dropLast() }
        return String(t)
    }
}
