// libFuzzer entry of the "csv" target; the logic is FuzzEntry.csv in Fuzz/Entry/FuzzEntries.swift.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzEntry.csv(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
