import CBLAS
import CDNNL
#if canImport(Glibc)
import Glibc
#endif

/// Which machine code the two libraries run: the only part of the engine's numbers that can
/// depend on the CPU.
///
/// The engine's own loops are compiled for baseline x86-64 and run the same instructions on
/// every machine; its reductions have a fixed order (`Threads`). What varies is what the
/// libraries pick by CPU: OpenBLAS's kernel ("core", chosen when the library loads, or by
/// `OPENBLAS_CORETYPE` in its environment) and oneDNN's instruction set (chosen at the first
/// primitive, capped by `capDNNL` before it or by `DNNL_MAX_CPU_ISA`). Different kernels sum
/// in different orders, so their last bits differ. This type reads and caps them; choosing the
/// core, which needs a fresh process, is the caller's business.
public enum Kernels {
    /// OpenBLAS's kernel name as the library reports it (e.g. "Haswell", "SkylakeX", "Zen").
    public static var blasCore: String {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p).trimmingSpaces
    }

    /// OpenBLAS's version, e.g. "0.3.21" (from `openblas_get_config()`).
    public static var blasVersion: String {
        guard let p = openblas_get_config() else { return "unknown" }
        let words = String(cString: p).split(separator: " ")
        return words.count > 1 && words[0] == "OpenBLAS" ? String(words[1]) : words.first.map(String.init) ?? "unknown"
    }

    /// oneDNN's version, e.g. "2.6.3".
    public static var dnnlVersion: String {
        guard let v = dnnl_version()?.pointee else { return "unknown" }
        return "\(v.major).\(v.minor).\(v.patch)"
    }

    /// The instruction set oneDNN dispatches to (its cap, or the CPU's best), e.g. "avx2",
    /// "avx512_core". Reading it fixes it: `capDNNL` must come first.
    public static var dnnlISA: String { name(of: dnnl_get_effective_cpu_isa()) }

    /// Caps oneDNN at AVX2 (FMA included), whatever `DNNL_MAX_CPU_ISA` says. Only possible before
    /// the first primitive is made and before `dnnlISA` is read; false when too late.
    public static func capDNNLAtAVX2() -> Bool {
        dnnl_set_max_cpu_isa(dnnl_cpu_isa_avx2) == dnnl_success
    }

    /// The CPU flags the kernel reports (`/proc/cpuinfo`), e.g. "avx2", "fma".
    public static var cpuFlags: Set<String> {
        guard let f = fopen("/proc/cpuinfo", "r") else { return [] }
        defer { fclose(f) }
        var line = [CChar](repeating: 0, count: 8192)
        while fgets(&line, Int32(line.count), f) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if text.hasPrefix("flags") || text.hasPrefix("Features") {
                guard let colon = text.firstIndex(of: ":") else { continue }
                return Set(text[text.index(after: colon)...].split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).map(String.init))
            }
        }
        return []
    }

    /// The machine's architecture as `uname -m` prints it, e.g. "x86_64".
    public static var architecture: String {
        var u = utsname()
        uname(&u)
        return withUnsafeBytes(of: &u.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    static func name(of isa: dnnl_cpu_isa_t) -> String {
        switch isa {
        case dnnl_cpu_isa_all: return "all"
        case dnnl_cpu_isa_sse41: return "sse41"
        case dnnl_cpu_isa_avx: return "avx"
        case dnnl_cpu_isa_avx2: return "avx2"
        case dnnl_cpu_isa_avx512_mic: return "avx512_mic"
        case dnnl_cpu_isa_avx512_mic_4ops: return "avx512_mic_4ops"
        case dnnl_cpu_isa_avx512_core: return "avx512_core"
        case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni"
        case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16"
        case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx"
        case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni"
        default: return "isa-0x" + String(isa.rawValue, radix: 16)
        }
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
