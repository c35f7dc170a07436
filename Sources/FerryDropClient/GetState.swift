/// What a `ferry get` keeps to continue after an interruption: the download ticket (so the
/// rerun is not counted as another download) and the files already written in full.
public struct GetState: Codable, Sendable, Equatable {
    /// The `Ferry-Drop-Ticket` of the open.
    public var ticket: String
    /// Indices of files verified and renamed into place.
    public var completed: [Int]
    /// Where this download's partial files are (saved once the names are known), so that a drop
    /// gone meanwhile leaves none behind. Absent in states saved before it was added.
    public var partials: [String]? = nil
    /// Where the files were written, once all of them were: a run of the same command again is
    /// told so (and contacts nobody) while they are all there, instead of opening the drop anew.
    public var finished: [String]? = nil
}
