#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a workbook asks of the process: open files for libxlsxwriter's per-sheet temporary
/// files, and lazily zeroed memory for its per-sheet cell arrays.
extension XLSXWorkbook {
    /// In constant-memory mode libxlsxwriter callocs, per sheet, an array of 16,384 cell
    /// pointers (128 KiB) that stays alive until the workbook is closed and of which a sheet uses
    /// a few columns. glibc serves an allocation of 128 KiB from mmap, whose pages are zeroed
    /// lazily by the kernel when first touched, unless its threshold has moved up: glibc raises
    /// it each time a larger mmapped block is freed, which the run's earlier work may do (it did
    /// in the 1,000-sheet benchmark). The arrays then come from the heap, calloc clears all of
    /// them, and a 1,000-sheet workbook touches 128 MB more (peak memory 163 MB instead of
    /// 48 MB, and about 6 % of the run in page clearing, measured in docs/BENCHMARKS.md). Fixing the threshold at glibc's default
    /// (which also stops its adjustment) keeps these arrays lazy. Process-wide, but the workbook
    /// is the last thing a run makes; it changes no byte of any output.
    static func keepLargeAllocationsLazy() {
        #if canImport(Glibc)
        // mallopt(M_MMAP_THRESHOLD, 128 KiB); <malloc.h> is not in Swift's Glibc module, so
        // it is looked up by name (RTLD_DEFAULT, which glibc defines as a null handle).
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        let M_MMAP_THRESHOLD: Int32 = -3
        if let symbol = dlsym(nil, "mallopt") {
            _ = unsafeBitCast(symbol, to: Mallopt.self)(M_MMAP_THRESHOLD, 128 * 1024)
        }
        #endif
    }

    /// Makes sure this process may hold `files` more open files: in constant-memory mode
    /// libxlsxwriter keeps one temporary file open per worksheet until the workbook is closed.
    /// Raises the soft limit towards the hard one when needed.
    static func ensureOpenFiles(_ files: Int) throws {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        let needed = rlim_t(files + 64)
        if limit.rlim_cur >= needed { return }
        if limit.rlim_max >= needed {   // RLIM_INFINITY is the largest value, so it passes too
            var raised = limit
            raised.rlim_cur = needed
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { return }
        }
        throw OutputError(.cannotCreate, "a workbook of \(files) sheets needs \(needed) open files, but this process may open only \(limit.rlim_max); lower --sheets-limit")
    }
}
