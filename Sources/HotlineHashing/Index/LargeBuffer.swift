#if canImport(Glibc)
    import Glibc
#endif

/// Zeroed memory for large lookup tables, mapped directly and advised to use huge pages.
///
/// A 10-million-entry table is hundreds of megabytes read at random: with 4 KiB pages
/// nearly every lookup also misses the TLB. Anonymous mappings come zeroed from the kernel,
/// so nothing is written until used.
final class LargeBuffer: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let byteCount: Int

    init(byteCount: Int) {
        self.byteCount = max(byteCount, 1)
        let pointer = mmap(nil, self.byteCount, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let pointer, pointer != MAP_FAILED else { fatalError("cannot map \(byteCount) bytes for a hash table") }
        #if os(Linux)
            _ = madvise(pointer, self.byteCount, Int32(MADV_HUGEPAGE))
        #endif
        base = pointer
    }

    deinit { munmap(base, byteCount) }
}
