/// scikit-learn's diabetes data (Efron, Hastie, Johnstone & Tibshirani 2004, "Least Angle
/// Regression", Annals of Statistics 32, 407): 442 patients, ten baseline variables (age, sex,
/// body-mass index, mean blood pressure and six blood serum measurements s1–s6) and a
/// quantitative measure of disease progression one year later (25–346) as the target.
///
/// Read from the two files scikit-learn ships, as its `load_diabetes(scaled=False)` does:
/// `diabetes_data_raw.csv.gz` (442 rows of ten space-separated numbers) and
/// `diabetes_target.csv.gz` (442 numbers), in scikit-learn's `datasets/data` folder, which the
/// Debian package `python3-sklearn` installs under `/usr/lib/python3/dist-packages`. The
/// values are the raw ones: standardize them (`preprocess: standardize`) as the notebook's
/// `StandardScaler` does.
enum Diabetes {
    /// The folder Debian's `python3-sklearn` installs the files in.
    static let defaultFolder = "/usr/lib/python3/dist-packages/sklearn/datasets/data"
    static let featureCount = 10
    static let sampleCount = 442

    /// The data in `folder`, or in `defaultFolder` when nil — then a missing file's error names
    /// the Debian package that installs it.
    static func load(folder: String?, defaultFolder: String = defaultFolder) throws(DataError) -> Dataset {
        let dir = folder ?? defaultFolder
        let hint = folder == nil
            ? EngineSay.installDiabetes
            : EngineSay.diabetesFiles
        let xPath = dir + "/diabetes_data_raw.csv.gz", yPath = dir + "/diabetes_target.csv.gz"
        for path in [xPath, yPath] where !FileBytes.isFile(path) {
            throw .missingFile(path: path, hint: hint)
        }
        let x = try numbers(xPath, perRow: featureCount)
        let y = try numbers(yPath, perRow: 1)
        guard x.count / featureCount == y.count else {
            throw .sampleCountMismatch(x: xPath, xCount: x.count / featureCount, y: yPath, yCount: y.count)
        }
        return Dataset(sampleShape: [featureCount], x: x, y: y, task: .regression(outputs: 1))
    }

    /// The numbers of a (maybe gzipped) text file of whitespace-separated values, checking that
    /// every non-empty line holds `perRow` of them.
    static func numbers(_ path: String, perRow: Int) throws(DataError) -> [Float] {
        let text = String(decoding: try Gzip.readMaybeCompressed(path), as: UTF8.self)
        var out = [Float]()
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if fields.isEmpty { continue }
            guard fields.count == perRow else {
                throw .badCSV(path: path, line: lineNumber, column: nil, reason: EngineSay.numbersPerRow(expected: perRow, found: fields.count))
            }
            for f in fields {
                guard let v = Double(f), v.isFinite else {
                    throw .badCSV(path: path, line: lineNumber, column: nil, reason: EngineSay.notANumber(String(f)))
                }
                out.append(Float(v))
            }
        }
        return out
    }
}
