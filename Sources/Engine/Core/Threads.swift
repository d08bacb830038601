import CBLAS
import CDNNL

/// The one thread setting of the engine: it drives OpenBLAS and oneDNN's OpenMP runtime
/// together, so that a caller running J trials at once can give each `cores / J` threads
/// without oversubscribing the machine.
public enum Threads {
    public static func set(_ n: Int) {
        let n = Int32(max(1, n))
        openblas_set_num_threads(n)
        omp_set_num_threads(n)
    }

    /// OpenBLAS's kernel name (e.g. "Haswell"), for benchmark records.
    public static var blasCore: String {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p)
    }
}
