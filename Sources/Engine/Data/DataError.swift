/// Everything that can go wrong while loading, checking or splitting data.
///
/// Every case names the file (when there is one) and what is wrong with it, so the runner
/// can print `description` as it is. Nothing in the data layer traps on bad input: a bad
/// file, a bad parameter or an impossible split is always one of these cases.
public enum DataError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A file that should exist does not; `hint` says how to get it, when we know.
    case missingFile(path: String, hint: String?)
    /// The folder of a named data set does not exist; `hint` says how to get it.
    case missingFolder(dataset: String, path: String, hint: String?)
    /// The file exists but cannot be read (permissions, a folder, an I/O error).
    case unreadable(path: String, reason: String)
    /// A gzip stream that ends early or does not inflate.
    case corruptGzip(path: String, reason: String)
    /// An IDX file with a wrong magic number, data type, dimension count or length.
    case badIDX(path: String, reason: String)
    /// Images and labels files that hold different numbers of samples.
    case countMismatch(images: String, imageCount: Int, labels: String, labelCount: Int)
    /// A CSV problem at a 1-based line (and column, when one is at fault).
    case badCSV(path: String, line: Int, column: String?, reason: String)
    /// A `.npy` file that is malformed or uses a layout or dtype we do not read.
    case badNPY(path: String, reason: String)
    /// `x` and `y` arrays whose first axes differ.
    case sampleCountMismatch(x: String, xCount: Int, y: String, yCount: Int)
    /// A parameter that cannot work (k < 2, an empty truth table, a fraction outside (0, 1)).
    case invalidParameter(String)

    public var description: String {
        switch self {
        case let .missingFile(path, hint):
            return EngineSay.noSuchFile(path, hint: hint)
        case let .missingFolder(dataset, path, hint):
            return EngineSay.noSuchDataFolder(path, dataset: dataset, hint: hint)
        case let .unreadable(path, reason):
            return EngineSay.cannotRead(path, reason)
        case let .corruptGzip(path, reason):
            return EngineSay.corruptGzip(path, reason)
        case let .badIDX(path, reason):
            return EngineSay.badIDX(path, reason)
        case let .countMismatch(images, imageCount, labels, labelCount):
            return EngineSay.imageLabelCounts(images, imageCount, labels, labelCount)
        case let .badCSV(path, line, column, reason):
            return EngineSay.badCSV(path, line: line, column: column, reason)
        case let .badNPY(path, reason):
            return EngineSay.badNPY(path, reason)
        case let .sampleCountMismatch(x, xCount, y, yCount):
            return EngineSay.sampleCounts(x, xCount, y, yCount)
        case let .invalidParameter(message):
            return message
        }
    }
}
