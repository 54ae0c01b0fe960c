package geo

// cache is a bounded map that forgets what was not used lately: entries
// live in two generations, a hit in the older one moves the entry to the
// newer, and when the newer is full the older is dropped whole. That is
// nearly least-recently-used without a list to maintain per hit, and its
// memory is at most twice max entries whatever the input.
type cache[K comparable, V any] struct {
	cur, old map[K]V
	max      int
	hits     int
	misses   int
}

func newCache[K comparable, V any](max int) *cache[K, V] {
	return &cache[K, V]{cur: make(map[K]V), old: make(map[K]V), max: max}
}

func (c *cache[K, V]) get(k K) (V, bool) {
	if v, ok := c.cur[k]; ok {
		c.hits++
		return v, true
	}
	if v, ok := c.old[k]; ok {
		c.hits++
		c.put(k, v)
		return v, true
	}
	c.misses++
	var zero V
	return zero, false
}

func (c *cache[K, V]) put(k K, v V) {
	if len(c.cur) >= c.max {
		// The older generation's storage is reused for the next one.
		c.cur, c.old = c.old, c.cur
		clear(c.cur)
	}
	c.cur[k] = v
}

func (c *cache[K, V]) reset() {
	clear(c.cur)
	clear(c.old)
}

func (c *cache[K, V]) len() int { return len(c.cur) + len(c.old) }
