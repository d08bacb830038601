import CBLAS
import CDNNL
import CWide
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// How the engine uses cores.
///
/// A training step splits its batch into fixed *chunks* (`chunks(of:)`: about 16 samples each,
/// a rule of the batch size alone) and runs the heavy per-sample passes (convolutions, their
/// dense products, activations, pooling) chunk by chunk, on as many threads as the calling thread's budget
/// (`set`). Reductions over the batch are split another fixed way: a convolution kernel's
/// gradient per chunk, summed afterwards in chunk order; a dense kernel's gradient by fixed
/// slices of its rows, each over the whole batch. So the numbers depend on the batch size, never on
/// the number of threads: a unit trained on one core (parallel trials) and the same unit
/// trained on two give the same bits.
///
/// oneDNN always runs single-threaded inside a chunk (OpenMP's team of one: no spin-waiting
/// threads, which made the 2-thread engine collapse when another process was busy); the
/// threads are Dispatch's, which block instead of spinning and take chunks dynamically, so a
/// core shared with another process simply takes fewer chunks. OpenBLAS runs single-threaded
/// too (its idle threads yield-spin), the dense layers' products chunked like the rest.
///
/// Floats below the normal range (under 1.2e-38) are flushed to zero on the engine's threads,
/// as TensorFlow flushes them on its threads (so Keras computes): `set` turns flushing on for
/// the calling thread and `forEach` runs its bodies under the caller's setting. They arise
/// where a gradient stops: Adam's moments decay through that range for every weight whose
/// input stays dark, and on x86 every instruction that meets one costs a microcode assist
/// (about 100 cycles). Flushing took the race's MLP Adam epoch from 3.4 to 1.5 s; the trained
/// weights of all six race workloads came out byte-identical with and without it (a moment of
/// 1e-39 moves a weight by about 1e-35, far below its last bit).
public enum Threads {
    /// Gives the calling thread a budget of `n` threads for the engine's parallel passes, keeps
    /// OpenBLAS and oneDNN single-threaded (the chunks are the parallelism), and has the thread
    /// flush subnormal floats to zero. Threads never set have a budget of 1 and their own
    /// floating-point mode (IEEE unless someone changed it).
    ///
    /// With `spare`, the thread also takes its share of the cores that threads of its group
    /// have finished with (`SpareCores`): a search's last unit, left alone, gets the core its
    /// finished neighbour lent, from its next parallel pass on. The thread holds `spare`
    /// unretained: its owner keeps it alive while the thread runs (the Scheduler's workers end
    /// before their group does).
    public static func set(_ n: Int, sharing spare: SpareCores? = nil) {
        let n = max(1, n)
        openblas_set_num_threads(1)
        omp_set_num_threads(1)
        budget = n
        lender = spare
        flushesSubnormals = true
    }

    /// The threads the calling thread's next parallel pass may use: its budget, plus its share
    /// of its group's spare cores (`set(_:sharing:)`). Bodies of a parallel pass have 1.
    public static var threadsNow: Int { budget + (lender?.share ?? 0) }

    /// The calling thread's group (`set(_:sharing:)`), nil inside a parallel pass's bodies.
    private static var lender: SpareCores? {
        get { pthread_getspecific(lenderKey.value).map { Unmanaged<SpareCores>.fromOpaque($0).takeUnretainedValue() } }
        set { pthread_setspecific(lenderKey.value, newValue.map { UnsafeRawPointer(Unmanaged.passUnretained($0).toOpaque()) }) }
    }

    /// Whether the calling thread flushes floats below the normal range to zero, results and
    /// inputs (x86's FTZ and DAZ; AArch64's FZ).
    public static var flushesSubnormals: Bool {
        get { cwide_flushes_subnormals() }
        set { cwide_flush_subnormals(newValue) }
    }

    /// The calling thread's budget (1 unless `set`).
    public static var budget: Int {
        get { Int(bitPattern: pthread_getspecific(key.value)) == 0 ? 1 : Int(bitPattern: pthread_getspecific(key.value)) }
        set { pthread_setspecific(key.value, UnsafeRawPointer(bitPattern: max(1, newValue))) }
    }

    /// The fixed split of a batch of `n` samples into chunks for the per-sample passes:
    /// ⌊n/16⌋ chunks (at least 1, at most 8) of sizes differing by at most one, larger first.
    /// Depends on `n` alone.
    public static func chunks(of n: Int) -> [Range<Int>] { split(n, minimum: 16) }

    /// `0..<n` split into ⌊n/minimum⌋ ranges (at least 1, at most 8) of sizes differing by at
    /// most one, larger first.
    public static func split(_ n: Int, minimum: Int) -> [Range<Int>] {
        let count = max(1, min(8, n / max(1, minimum)))
        let base = n / count, extra = n % count
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(count)
        var start = 0
        for i in 0..<count {
            let size = base + (i < extra ? 1 : 0)
            ranges.append(start..<(start + size))
            start += size
        }
        return ranges
    }

    /// Runs `body(0)`, …, `body(count − 1)`, on up to `budget` threads (the caller's among them)
    /// when the budget allows, else in order on the calling thread. Bodies must touch disjoint
    /// memory; each runs with a budget of 1, oneDNN single-threaded, and the caller's
    /// `flushesSubnormals` (so which thread takes a chunk never shows in its bits).
    public static func forEach(_ count: Int, _ body: (Int) -> Void) {
        let saved = budget, group = lender, threads = min(threadsNow, count), flush = flushesSubnormals
        if threads <= 1 {
            for i in 0..<count { body(i) }
            return
        }
        budget = 1
        lender = nil
        defer { budget = saved; lender = group }
        withoutActuallyEscaping(body) { body in
            let work = Work(body: body)
            let next = Atomic<Int>(0)
            // `threads` workers take the next chunk until none is left: a worker on a core
            // that another process shares takes fewer.
            DispatchQueue.concurrentPerform(iterations: threads) { _ in
                omp_set_num_threads(1)
                // Dispatch's threads serve others too: the caller's mode only while working.
                let own = flushesSubnormals
                if own != flush { flushesSubnormals = flush }
                defer { if own != flush { flushesSubnormals = own } }
                while true {
                    let i = next.add(1, ordering: .relaxed).oldValue
                    guard i < count else { break }
                    work.body(i)
                }
            }
        }
    }

    /// Runs `body(0)`, …, `body(count − 1)`, each after the tasks it depends on (`after[t]`, all
    /// numbered below t), on up to `budget` threads: a free thread takes the lowest-numbered
    /// task whose dependencies are done, so the numbering is the priority. In order on the
    /// calling thread when the budget is 1. Bodies run as `forEach`'s (budget 1, the caller's
    /// `flushesSubnormals`); a task sees everything its dependencies wrote. A thread with no
    /// task ready yields its core (`sched_yield`) until one is: such waits last one pass at
    /// most (a layer's whole-batch input gradient), and under load the core goes to others.
    public static func run(_ count: Int, after: [[Int]], _ body: (Int) -> Void) {
        precondition(after.count == count && after.indices.allSatisfy { t in after[t].allSatisfy { $0 < t } },
                     "Threads.run: dependencies must be earlier tasks")
        let threads = min(threadsNow, count)
        if threads <= 1 {
            for t in 0..<count { body(t) }
            return
        }
        var dependents = [[Int]](repeating: [], count: count)
        for t in 0..<count { for d in after[t] { dependents[d].append(t) } }
        let state = Mutex(Schedule(remaining: after.map(\.count), taken: [Bool](repeating: false, count: count)))
        forEach(threads) { _ in
            while true {
                let next: Int? = state.withLock { s in
                    if s.done == count { return -1 }
                    while s.first < count && s.taken[s.first] { s.first += 1 }
                    for t in s.first..<count where !s.taken[t] && s.remaining[t] == 0 {
                        s.taken[t] = true
                        return t
                    }
                    return nil
                }
                guard let t = next else { sched_yield(); continue }
                if t < 0 { return }
                body(t)
                state.withLock { s in
                    s.done += 1
                    for d in dependents[t] { s.remaining[d] -= 1 }
                }
            }
        }
    }

    private struct Schedule {
        var remaining: [Int]
        var taken: [Bool]
        var first = 0, done = 0
    }

    private struct Work: @unchecked Sendable { let body: (Int) -> Void }
    private struct Key: @unchecked Sendable { let value: pthread_key_t }
    private static let key: Key = {
        var k = pthread_key_t()
        pthread_key_create(&k, nil)
        return Key(value: k)
    }()
    private static let lenderKey: Key = {
        var k = pthread_key_t()
        pthread_key_create(&k, nil)
        return Key(value: k)
    }()
}

/// Cores that a group of threads lend each other as they finish (`Threads.set(_:sharing:)`):
/// the runner's workers, one unit at a time each. A worker that finds no more units lends its
/// budget; the ones still working split what was lent (evenly, rounded down) on top of their
/// own. The engine's numbers never depend on the thread count (`Threads`), so a unit that
/// gains a thread halfway computes the same bits.
public final class SpareCores: Sendable {
    private let state = Mutex<(working: Int, spare: Int)>((0, 0))
    public init() {}
    /// A thread of the group starts working.
    public func start() { state.withLock { $0.working += 1 } }
    /// A thread of the group is done for good and lends its `cores`.
    public func finish(lending cores: Int) {
        state.withLock { s in
            s.working -= 1
            s.spare += cores
        }
    }
    /// Each working thread's share of the spare cores.
    var share: Int { state.withLock { $0.working > 0 ? $0.spare / $0.working : 0 } }
}
