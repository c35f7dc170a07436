/// A response stopped part-way because its ``ResponseLease`` ended.
struct ResponseLeaseEnded: Error {}
