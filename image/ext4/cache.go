package ext4

// The caches keep the checks' working set (a few directories, their inodes) in memory,
// within fixed budgets whatever the image: past a budget the cache starts over.

func (f *FS) cachedInode(num uint32) *inode {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.inodes[num]
}

func (f *FS) cacheInode(in *inode) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.inodes) >= maxCachedInodes {
		clear(f.inodes)
	}
	f.inodes[in.num] = in
}

func (f *FS) cachedDir(num uint32) ([]dirent, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, ok := f.dirs[num]
	return d, ok
}

func (f *FS) cacheDir(num uint32, entries []dirent) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cachedEntries+len(entries) > maxCachedDirEntries {
		clear(f.dirs)
		f.cachedEntries = 0
	}
	f.dirs[num] = entries
	f.cachedEntries += len(entries)
}
