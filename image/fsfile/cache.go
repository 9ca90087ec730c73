package fsfile

import "sync"

// Cache keeps a reader's working set (inodes, directory listings) within a fixed budget
// whatever the image: each value costs weigh(v), and past the budget the cache starts
// over. It is safe for concurrent use.
type Cache[K comparable, V any] struct {
	mu     sync.Mutex
	m      map[K]V
	cost   int
	budget int
	weigh  func(V) int
}

// Budgets the readers use: enough for the checks' working set (a few directories and
// their inodes), bounded whatever the image.
const (
	CachedInodes     = 1 << 16
	CachedDirEntries = 1 << 20
)

// NewCache makes a cache of the given budget; a nil weigh counts every value as 1.
func NewCache[K comparable, V any](budget int, weigh func(V) int) *Cache[K, V] {
	if weigh == nil {
		weigh = func(V) int { return 1 }
	}
	return &Cache[K, V]{m: map[K]V{}, budget: budget, weigh: weigh}
}

// NewListCache makes a cache of slices (directory listings) that costs their length.
func NewListCache[K comparable, E any](budget int) *Cache[K, []E] {
	return NewCache[K, []E](budget, func(l []E) int { return len(l) })
}

// Get returns the value cached under k.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[k]
	return v, ok
}

// Put caches v under k, first emptying the cache when v would take it over budget.
func (c *Cache[K, V]) Put(k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[k]; ok {
		c.cost -= c.weigh(old)
		delete(c.m, k)
	}
	w := c.weigh(v)
	if c.cost+w > c.budget {
		clear(c.m)
		c.cost = 0
	}
	c.m[k] = v
	c.cost += w
}

// Len is the number of values cached.
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
