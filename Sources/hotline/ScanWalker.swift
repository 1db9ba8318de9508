import Foundation

/// Walks the folders a hoster scans in one fixed order (roots as given, then names sorted,
/// depth first), so that an interrupted scan can resume after the last file it finished.
/// Symlinks are not followed unless asked, and then never into a folder already entered;
/// special files (devices, FIFOs, sockets) are skipped, and so are files over the size cap.
struct ScanWalker {
    /// What the walk meets.
    enum Entry {
        /// A regular file to hash, with its size.
        case file(path: String, key: [String], size: Int)
        /// Something not hashed, and why.
        case skipped(path: String, reason: String)
    }

    let roots: [String]
    let followSymlinks: Bool
    let maximumSize: Int

    /// Visits every entry; `key` orders files as the walk meets them (root index, then path
    /// components), so `key <= last` tells a file already done.
    func walk(_ visit: (Entry) throws -> Void) rethrows {
        var entered = Set<String>()
        for (index, root) in roots.enumerated() {
            try walk(root, key: [String(format: "%08d", index)], entered: &entered, visit)
        }
    }

    private func identity(_ info: stat) -> String { "\(info.st_dev):\(info.st_ino)" }

    private func walk(_ path: String, key: [String], entered: inout Set<String>, _ visit: (Entry) throws -> Void) rethrows {
        var info = stat()
        guard lstat(path, &info) == 0 else { return try visit(.skipped(path: path, reason: "cannot read: \(String(cString: strerror(errno)))")) }
        if info.st_mode & S_IFMT == S_IFLNK {
            guard followSymlinks else { return try visit(.skipped(path: path, reason: "symlink (not followed; --follow-symlinks)")) }
            guard stat(path, &info) == 0 else { return try visit(.skipped(path: path, reason: "broken symlink")) }
        }
        switch info.st_mode & S_IFMT {
        case S_IFDIR:
            // A folder reached twice (a symlink loop, or two links to one place) is walked once.
            guard entered.insert(identity(info)).inserted else { return try visit(.skipped(path: path, reason: "folder already scanned (a symlink loop?)")) }
            let names: [String]
            do { names = try FileManager.default.contentsOfDirectory(atPath: path).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) } } catch {
                return try visit(.skipped(path: path, reason: "cannot list folder: \(String(cString: strerror(errno)))"))
            }
            for name in names { try walk((path as NSString).appendingPathComponent(name), key: key + [name], entered: &entered, visit) }
        case S_IFREG:
            let size = Int(info.st_size)
            if size > maximumSize { return try visit(.skipped(path: path, reason: "larger than --max-size (\(size) bytes)")) }
            try visit(.file(path: path, key: key, size: size))
        default:
            try visit(.skipped(path: path, reason: "not a regular file"))
        }
    }

    /// Whether `key` sorts at or before `last` (component by component, bytewise).
    static func isDone(_ key: [String], last: [String]) -> Bool {
        for (a, b) in zip(key, last) where a != b { return a.utf8.lexicographicallyPrecedes(b.utf8) }
        return key.count <= last.count
    }
}
