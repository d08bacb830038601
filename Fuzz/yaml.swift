// libFuzzer target: any text → the experiment-file loader (YAML → nodes → validated
// experiment) → its canonical text (emitted with libyaml) → loaded again. Loading must never
// crash, and whatever validates must read back to the same canonical text.
#if canImport(Glibc)
import Glibc
#endif

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzYAML(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let (experiment, _) = Experiment.load(text: text, file: "fuzz.yaml")
    // Every tree composed without error also goes through the emitter, valid experiment or
    // not (a tree with an error, e.g. an integer beyond 64 bits, is refused again on reading).
    let (node, composeErrors) = Composer.compose(text, file: "fuzz.yaml")
    if let node, composeErrors.isEmpty {
        let emitted = emit(node)
        let (back, d) = Composer.compose(emitted, file: "emitted.yaml")
        guard let back, d.isEmpty, emit(back) == emitted else {
            fatalError("emitted text does not read back:\n\(emitted)\n\(d)")
        }
    }
    guard let experiment else { return 0 }
    let (again, diagnostics) = Experiment.load(text: experiment.canonicalText, file: "resolved.yaml")
    guard let again, again.canonicalText == experiment.canonicalText else {
        fatalError("canonical text does not round-trip:\n\(experiment.canonicalText)\n\(diagnostics)")
    }
    return 0
}
