import HashTreeCollections

/// A persistent map keyed by resource: a copy shares structure with its original and an
/// update costs O(log n), so a revision index moved by one file does not copy 100,000 entries.
public typealias ResourceMap<Element> = TreeDictionary<ResourceID, Element>
