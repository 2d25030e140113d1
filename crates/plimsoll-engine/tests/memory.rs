//! Memory per tar entry of the file lists and the merged tree, counted by
//! the allocator (no timing, no RSS noise): the encoded lists a scan keeps
//! plus the peak of building the tree from them, over the number of entries.
//! The allocator counts capacity, growth slack included, which the kernel
//! only backs once touched: about 156 bytes here where bench/image.sh
//! measures 125 bytes of RSS per entry (1M and 2M entries; over 400 with
//! the lists and tree this replaced). The bound is 200.

use std::borrow::Cow;

use plimsoll_engine::{EntryKind, FileEntryRef, FileLists, FileTree};

#[global_allocator]
static HEAP: plimsoll_heapcount::Counting = plimsoll_heapcount::Counting;

/// One layer of `n` empty files, 1000 per directory (each directory listed
/// first), as the engine caches it; the tree built from it; the heap bytes
/// both cost at their peak, per entry. Also checks the tree holds them all.
fn bytes_per_entry(n: u64) -> f64 {
    let before = plimsoll_heapcount::live();
    let mut bytes = postcard::to_stdvec(&(n + n / 1000 + 1)).unwrap();
    let mut push = |path: &str, kind: EntryKind| {
        let e = FileEntryRef {
            path,
            kind,
            mode: 0o644,
            uid: 0,
            gid: 0,
            size: 0,
            link: None,
        };
        bytes = postcard::to_extend(&e, std::mem::take(&mut bytes)).unwrap();
    };
    for i in 0..n {
        if i.is_multiple_of(1000) {
            push(&format!("d{:06}", i / 1000), EntryKind::Dir);
        }
        push(&format!("d{:06}/f{i:07}", i / 1000), EntryKind::File);
    }
    if n.is_multiple_of(1000) {
        push("z", EntryKind::File); // the count above includes one more
    }
    bytes.shrink_to_fit();
    plimsoll_heapcount::reset_peak();
    let lists = FileLists::from_encoded([Cow::Borrowed(bytes.as_slice())]).unwrap();
    let tree = FileTree::build(&lists);
    let peak = plimsoll_heapcount::peak();
    assert_eq!(tree.files.len() as u64, lists.entries(0));
    assert_eq!(tree.layers[0].added, lists.entries(0));
    assert!(tree.files.get(&format!("d000000/f{:07}", 0)).is_some());
    drop(tree);
    drop(lists);
    (peak - before) as f64 / n as f64
}

#[test]
fn a_file_costs_at_most_200_bytes_of_heap() {
    let per_entry = bytes_per_entry(200_000);
    assert!(per_entry <= 200.0, "{per_entry:.1} bytes per entry");
}

#[test]
#[ignore = "explicit suite: 2,000,000 entries, about 300 MB (scripts/test-all.sh)"]
fn two_million_files_cost_at_most_200_bytes_each() {
    let per_entry = bytes_per_entry(2_000_000);
    assert!(per_entry <= 200.0, "{per_entry:.1} bytes per entry");
}
