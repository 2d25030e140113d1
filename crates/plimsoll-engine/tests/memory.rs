//! Memory per tar entry of the file lists and the merged tree, counted by
//! the allocator (no timing, no RSS noise): the encoded lists a scan keeps
//! plus the peak of building the tree from them, over the number of entries.
//! The allocator counts capacity, growth slack included, which the kernel
//! only backs once touched: about 156 bytes here where bench/image.sh
//! measures 125 bytes of RSS per entry (1M and 2M entries; over 400 with
//! the lists and tree this replaced). The bound is 200.

use std::alloc::{GlobalAlloc, Layout, System};
use std::borrow::Cow;
use std::sync::atomic::{AtomicUsize, Ordering};

use plimsoll_engine::{EntryKind, FileEntryRef, FileLists, FileTree};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            let live = LIVE.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size
                - layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

/// One layer of `n` empty files, 1000 per directory (each directory listed
/// first), as the engine caches it; the tree built from it; the heap bytes
/// both cost at their peak, per entry. Also checks the tree holds them all.
fn bytes_per_entry(n: u64) -> f64 {
    let before = LIVE.load(Ordering::Relaxed);
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
    PEAK.store(LIVE.load(Ordering::Relaxed), Ordering::Relaxed);
    let lists = FileLists::from_encoded([Cow::Borrowed(bytes.as_slice())]).unwrap();
    let tree = FileTree::build(&lists);
    let peak = PEAK.load(Ordering::Relaxed);
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
